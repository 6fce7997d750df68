//! The server's metrics, rendered in Prometheus' text format at `GET /metrics`.

use prometheus::{
    Encoder as _, Histogram, HistogramOpts, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The latency histogram's buckets, in seconds: a warm run takes about a millisecond, a
/// cold one tens of milliseconds, a run that meets its deadline seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0,
];

/// Every metric the server keeps.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// `repy_runs_total{verdict}`: runs ended, by verdict.
    pub runs: IntCounterVec,
    /// `repy_run_failures_total{reason}`: runs the executor could not bring to a verdict.
    pub failures: IntCounterVec,
    /// `repy_responses_total{code}`: answers, by HTTP status code.
    pub responses: IntCounterVec,
    /// `repy_queue_depth`: requests waiting for a slot.
    pub queue_depth: IntGauge,
    /// `repy_in_flight`: runs running.
    pub in_flight: IntGauge,
    /// `repy_pool_size`: runs the executor holds ready.
    pub pool_size: IntGauge,
    /// `repy_run_duration_seconds`: how long runs took, from their slot to their outcome.
    pub latency: Histogram,
}

/// A metric could not be made (a bad name; a bug).
#[derive(Debug, thiserror::Error)]
#[error("cannot register the metrics: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

impl Metrics {
    /// Every metric, registered and at zero.
    pub fn new() -> Result<Metrics, MetricsError> {
        let registry = Registry::new();
        let runs = IntCounterVec::new(
            Opts::new(
                "repy_runs_total",
                "Runs ended, by verdict (docs/exit-codes.md)",
            ),
            &["verdict"],
        )?;
        let failures = IntCounterVec::new(
            Opts::new(
                "repy_run_failures_total",
                "Runs the executor could not bring to a verdict, by reason",
            ),
            &["reason"],
        )?;
        let responses = IntCounterVec::new(
            Opts::new("repy_responses_total", "HTTP answers, by status code"),
            &["code"],
        )?;
        let queue_depth = IntGauge::new("repy_queue_depth", "Requests waiting for a run slot")?;
        let in_flight = IntGauge::new("repy_in_flight", "Runs running")?;
        let pool_size = IntGauge::new(
            "repy_pool_size",
            "Ready interpreters of the warm pool (with --cold: the runs at once)",
        )?;
        let latency = Histogram::with_opts(
            HistogramOpts::new(
                "repy_run_duration_seconds",
                "How long runs took, from their slot to their outcome",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
        )?;
        registry.register(Box::new(runs.clone()))?;
        registry.register(Box::new(failures.clone()))?;
        registry.register(Box::new(responses.clone()))?;
        registry.register(Box::new(queue_depth.clone()))?;
        registry.register(Box::new(in_flight.clone()))?;
        registry.register(Box::new(pool_size.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Metrics {
            registry,
            runs,
            failures,
            responses,
            queue_depth,
            in_flight,
            pool_size,
            latency,
        })
    }

    /// Every metric in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail but for a metric with an invalid name, which
        // `new` would have refused.
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            eprintln!("repy serve: cannot render the metrics: {err}");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_render_every_family() {
        let metrics = Metrics::new().expect("valid names");
        metrics.runs.with_label_values(&["finished"]).inc();
        metrics.latency.observe(0.003);
        metrics.pool_size.set(2);
        let text = metrics.render();
        for line in [
            "repy_runs_total{verdict=\"finished\"} 1",
            "repy_queue_depth 0",
            "repy_in_flight 0",
            "repy_pool_size 2",
            "repy_run_duration_seconds_bucket{le=\"0.005\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
    }
}
