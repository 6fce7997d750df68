//! Job documents as `repy submit` reads them: one JSON object, or several (JSON lines, or
//! objects one after another), each given an id if it has none.

use serde_json::{Map, Value};

use crate::QueueError;

/// The job objects of `text`, read from `source_name` (for messages), each with an `id`:
/// its own (a non-empty string), or a new random one (a UUID v4).
pub fn jobs_from_text(
    text: &str,
    source_name: &str,
) -> Result<Vec<Map<String, Value>>, QueueError> {
    let bad = |message: String| QueueError::BadJob {
        source_name: source_name.to_owned(),
        message,
    };
    let mut jobs = Vec::new();
    for (n, value) in serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .enumerate()
    {
        let value = value.map_err(|err| bad(format!("not JSON: {err}")))?;
        let Value::Object(mut job) = value else {
            return Err(bad(format!(
                "document {} is not a JSON object (a job is {{\"kind\": ..., ...}})",
                n + 1
            )));
        };
        match job.get("id") {
            None => {
                job.insert("id".to_owned(), Value::String(new_id()));
            }
            Some(Value::String(id)) if !id.is_empty() => {}
            Some(other) => {
                return Err(bad(format!(
                    "document {}: `id` must be a non-empty string, not {other}",
                    n + 1
                )))
            }
        }
        jobs.push(job);
    }
    if jobs.is_empty() {
        return Err(bad("holds no job document".to_owned()));
    }
    Ok(jobs)
}

/// A run job for the program `source`, under the restrictions file `restrictions` (TOML
/// text) if there is one, with a new id.
pub fn job_from_program(source: &str, restrictions: Option<&str>) -> Map<String, Value> {
    let mut job = Map::new();
    job.insert("id".to_owned(), Value::String(new_id()));
    job.insert("kind".to_owned(), Value::String("run".to_owned()));
    job.insert("source".to_owned(), Value::String(source.to_owned()));
    if let Some(restrictions) = restrictions {
        job.insert(
            "restrictions".to_owned(),
            Value::String(restrictions.to_owned()),
        );
    }
    job
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_read_one_object_or_json_lines() {
        let one =
            jobs_from_text("{\n  \"id\": \"a\",\n  \"kind\": \"run\"\n}\n", "one.json").unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0]["id"], "a");
        let lines =
            jobs_from_text("{\"id\": \"a\"}\n\n{\"kind\": \"run\"}\n", "lines.jsonl").unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], "a");
        let generated = lines[1]["id"].as_str().unwrap();
        assert_eq!(generated.len(), 36, "{generated}");
    }

    #[test]
    fn jobs_refuse_what_is_not_a_job_naming_the_file() {
        let err = jobs_from_text("{\"id\": \"a\"}\n[1]\n", "jobs.jsonl").unwrap_err();
        assert!(
            err.to_string().starts_with("jobs.jsonl: document 2"),
            "{err}"
        );
        let err = jobs_from_text("{\"id\": 7}", "x").unwrap_err();
        assert!(err.to_string().contains("non-empty string"), "{err}");
        let err = jobs_from_text("{\"id\": \"a\"\n", "broken").unwrap_err();
        assert!(err.to_string().contains("not JSON"), "{err}");
        let err = jobs_from_text("  \n", "empty").unwrap_err();
        assert!(err.to_string().contains("no job"), "{err}");
    }

    #[test]
    fn job_from_program_is_a_run_job() {
        let job = job_from_program("print(1)", Some("[resources]\n"));
        assert_eq!(job["kind"], "run");
        assert_eq!(job["source"], "print(1)");
        assert_eq!(job["restrictions"], "[resources]\n");
        assert!(job_from_program("x", None).get("restrictions").is_none());
    }
}
