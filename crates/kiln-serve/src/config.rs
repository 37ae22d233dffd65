//! Server settings, as data with a `check()`.

use std::net::SocketAddr;
use std::time::Duration;

use crate::error::{Result, ServeError};
use crate::log::LogConfig;
use crate::source::ModelRef;

/// Everything `kiln serve` can be told.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeConfig {
    /// Address to listen on (`127.0.0.1:8080`; port 0 picks a free one).
    pub addr: SocketAddr,
    /// Model references to serve (`name`, `name/3`, `name@alias`); each is served under its name.
    pub models: Vec<String>,
    /// The model `/invocations` scores when more than one is served.
    pub default_model: Option<String>,
    /// Largest request body, in bytes (larger ones get 413).
    pub body_limit: usize,
    /// Longest a scoring request may take (longer ones get 504).
    pub request_timeout: Duration,
    /// How often to re-resolve each reference and load a moved alias; `None` turns polling off
    /// (a reload can still be asked for on the admin route).
    pub poll_interval: Option<Duration>,
    /// Bearer token of the admin routes; without one they do not exist.
    pub admin_token: Option<String>,
    /// The prediction and feedback logs; `None` logs nothing.
    pub log: Option<LogConfig>,
}

/// Shortest admin token accepted: long enough that guessing is hopeless.
pub const MIN_ADMIN_TOKEN_LEN: usize = 16;

impl ServeConfig {
    /// Defaults: 127.0.0.1:8080, 16 MiB bodies, 30 s timeout, polling every 30 s, no admin
    /// routes, no logs.
    pub fn new(models: Vec<String>) -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            models,
            default_model: None,
            body_limit: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            poll_interval: Some(Duration::from_secs(30)),
            admin_token: None,
            log: None,
        }
    }

    /// The parsed model references, checked for duplicate names.
    pub fn model_refs(&self) -> Result<Vec<(String, ModelRef)>> {
        let mut out: Vec<(String, ModelRef)> = Vec::with_capacity(self.models.len());
        for text in &self.models {
            let r = ModelRef::parse(text).map_err(|e| ServeError::model(text, e.to_string()))?;
            if let Some((other, _)) = out.iter().find(|(_, o)| o.name() == r.name()) {
                return Err(ServeError::config(
                    "models",
                    format!(
                        "'{other}' and '{text}' would both be served as '{}'; serve one version per name",
                        r.name()
                    ),
                ));
            }
            out.push((text.clone(), r));
        }
        Ok(out)
    }

    /// Validates every setting, naming the first bad one.
    pub fn check(&self) -> Result<()> {
        if self.models.is_empty() {
            return Err(ServeError::config(
                "models",
                "no model to serve; give at least one reference (name, name/3 or name@alias)",
            ));
        }
        let refs = self.model_refs()?;
        if let Some(d) = &self.default_model
            && !refs.iter().any(|(_, r)| r.name() == d)
        {
            return Err(ServeError::config(
                "default model",
                format!(
                    "'{d}' is not one of the served models ({})",
                    refs.iter()
                        .map(|(_, r)| r.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if self.body_limit < 1024 {
            return Err(ServeError::config(
                "body limit",
                format!(
                    "{} bytes is too small; expected at least 1024",
                    self.body_limit
                ),
            ));
        }
        if self.request_timeout.is_zero() {
            return Err(ServeError::config("request timeout", "must be positive"));
        }
        if let Some(p) = self.poll_interval
            && p < Duration::from_millis(10)
        {
            return Err(ServeError::config(
                "poll interval",
                format!("{p:?} is too short; expected at least 10 ms"),
            ));
        }
        if let Some(t) = &self.admin_token
            && t.trim().chars().count() < MIN_ADMIN_TOKEN_LEN
        {
            return Err(ServeError::config(
                "admin token",
                format!("must be at least {MIN_ADMIN_TOKEN_LEN} characters"),
            ));
        }
        if let Some(log) = &self.log {
            log.check()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_the_bad_setting() {
        let ok = ServeConfig::new(vec!["a@prod".into(), "b/2".into()]);
        ok.check().unwrap();
        let cases: Vec<(ServeConfig, &str)> = vec![
            (ServeConfig::new(vec![]), "no model to serve"),
            (
                ServeConfig::new(vec!["a@prod".into(), "a/2".into()]),
                "both be served as 'a'",
            ),
            (
                ServeConfig {
                    default_model: Some("c".into()),
                    ..ok.clone()
                },
                "'c' is not one of the served models (a, b)",
            ),
            (
                ServeConfig {
                    body_limit: 10,
                    ..ok.clone()
                },
                "body limit",
            ),
            (
                ServeConfig {
                    request_timeout: Duration::ZERO,
                    ..ok.clone()
                },
                "request timeout",
            ),
            (
                ServeConfig {
                    poll_interval: Some(Duration::from_millis(1)),
                    ..ok.clone()
                },
                "poll interval",
            ),
            (
                ServeConfig {
                    admin_token: Some("short".into()),
                    ..ok.clone()
                },
                "at least 16 characters",
            ),
            (
                ServeConfig::new(vec!["bad name".into()]),
                "model 'bad name'",
            ),
        ];
        for (config, want) in cases {
            let e = config.check().unwrap_err().to_string();
            assert!(e.contains(want), "{want}: {e}");
        }
    }
}
