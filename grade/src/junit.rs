//! JUnit XML, which CI systems and course tools read: one `<testsuite>` per submission, one
//! `<testcase>` per test; a wrong answer is a `<failure>`, every other verdict but `passed`
//! an `<error>`, each with the verdict as its `type`.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::record::{points, SubmissionRecord, Verdict};

/// The JUnit XML document of `records`, the suite of tests named `suite`.
pub fn render(suite: &str, records: &[SubmissionRecord]) -> std::io::Result<String> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let count = |pick: fn(Verdict) -> bool| {
        records
            .iter()
            .flat_map(|r| &r.tests)
            .filter(|t| pick(t.verdict))
            .count()
            .to_string()
    };
    let tests: usize = records.iter().map(|r| r.tests.len()).sum();
    let time: f64 = records.iter().map(record_time).sum();
    writer.write_event(Event::Start(BytesStart::new("testsuites").with_attributes(
        [
            ("name", xml_safe(suite).as_ref()),
            ("tests", tests.to_string().as_str()),
            ("failures", count(is_failure).as_str()),
            ("errors", count(is_error).as_str()),
            ("time", format!("{time:.3}").as_str()),
        ],
    )))?;
    for record in records {
        let failures = record
            .tests
            .iter()
            .filter(|t| is_failure(t.verdict))
            .count();
        let errors = record.tests.iter().filter(|t| is_error(t.verdict)).count();
        writer.write_event(Event::Start(BytesStart::new("testsuite").with_attributes(
            [
                ("name", xml_safe(&record.submission).as_ref()),
                ("tests", record.tests.len().to_string().as_str()),
                ("failures", failures.to_string().as_str()),
                ("errors", errors.to_string().as_str()),
                ("skipped", "0"),
                ("time", format!("{:.3}", record_time(record)).as_str()),
            ],
        )))?;
        writer.write_event(Event::Start(BytesStart::new("properties")))?;
        let mut properties = vec![
            ("score", points(record.score)),
            ("max_score", points(record.max_score)),
        ];
        if let Some(refused) = &record.refused {
            properties.push(("refused", xml_safe(&refused.message).into_owned()));
        }
        if let Some(error) = &record.error {
            properties.push(("error", xml_safe(error).into_owned()));
        }
        for (name, value) in properties {
            writer.write_event(Event::Empty(
                BytesStart::new("property").with_attributes([("name", name), ("value", &value)]),
            ))?;
        }
        writer.write_event(Event::End(BytesEnd::new("properties")))?;
        for test in &record.tests {
            let time = test.run.as_ref().map_or(0.0, |r| r.wall_seconds);
            let start = BytesStart::new("testcase").with_attributes([
                ("name", xml_safe(&test.name).as_ref()),
                ("classname", xml_safe(&record.submission).as_ref()),
                ("time", format!("{time:.3}").as_str()),
            ]);
            if test.verdict == Verdict::Passed {
                writer.write_event(Event::Empty(start))?;
                continue;
            }
            writer.write_event(Event::Start(start))?;
            let element = if is_failure(test.verdict) {
                "failure"
            } else {
                "error"
            };
            let message = match &test.message {
                Some(message) => format!("{}: {message}", test.verdict.label()),
                None => test.verdict.label().to_owned(),
            };
            let open = BytesStart::new(element).with_attributes([
                ("type", test.verdict.key()),
                ("message", xml_safe(&message).as_ref()),
            ]);
            match &test.diff {
                Some(diff) => {
                    writer.write_event(Event::Start(open))?;
                    writer.write_event(Event::Text(BytesText::new(&xml_safe(diff))))?;
                    writer.write_event(Event::End(BytesEnd::new(element)))?;
                }
                None => writer.write_event(Event::Empty(open))?,
            }
            writer.write_event(Event::End(BytesEnd::new("testcase")))?;
        }
        writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut xml = String::from_utf8_lossy(&writer.into_inner()).into_owned();
    xml.push('\n');
    Ok(xml)
}

fn is_failure(verdict: Verdict) -> bool {
    verdict == Verdict::WrongAnswer
}

fn is_error(verdict: Verdict) -> bool {
    verdict != Verdict::Passed && verdict != Verdict::WrongAnswer
}

fn record_time(record: &SubmissionRecord) -> f64 {
    record
        .tests
        .iter()
        .filter_map(|t| t.run.as_ref())
        .map(|r| r.wall_seconds)
        .sum()
}

/// `text` as XML 1.0 may hold it: characters it forbids (control characters but tab, line
/// feed and carriage return; U+FFFE, U+FFFF) become U+FFFD, so that what a submission prints
/// cannot make the document unreadable. quick-xml escapes the rest.
fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    };
    if text.chars().all(allowed) {
        std::borrow::Cow::Borrowed(text)
    } else {
        text.chars()
            .map(|c| if allowed(c) { c } else { '\u{fffd}' })
            .collect::<String>()
            .into()
    }
}

#[cfg(test)]
mod tests {
    use crate::record::{RunSummary, SubmissionRecord, TestRecord, Verdict};

    #[test]
    fn what_a_submission_prints_cannot_break_the_document() {
        let nasty = "\u{0}\u{1b}]0;x\u{7}</failure><testcase name=\"forged\"/>\u{ffff}&amp;";
        let record = SubmissionRecord {
            submission: nasty.into(),
            score: 0.0,
            max_score: 1.0,
            refused: None,
            error: None,
            tests: vec![TestRecord {
                name: "t".into(),
                points: 0.0,
                max_points: 1.0,
                verdict: Verdict::WrongAnswer,
                message: Some(nasty.into()),
                diff: Some(nasty.into()),
                run: Some(RunSummary {
                    verdict: "finished".into(),
                    exit_code: 0,
                    wall_seconds: 0.0,
                    cpu_seconds: 0.0,
                    peak_memory_bytes: 0,
                }),
            }],
        };
        let xml = super::render(nasty, &[record]).expect("render");
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut testcases = 0;
        loop {
            match reader.read_event().expect("well-formed") {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                    if e.name().as_ref() == b"testcase" =>
                {
                    testcases += 1
                }
                _ => {}
            }
        }
        assert_eq!(testcases, 1, "{xml}");
        assert!(!xml.contains('\u{0}') && !xml.contains('\u{1b}'), "{xml}");
    }
}
