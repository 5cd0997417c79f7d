//! Asking a TSA over HTTP (RFC 3161 3.4): POST the DER request as
//! `application/timestamp-query`, read the DER reply.
//!
//! Plain `http://` only. A token is signed by the TSA and verified against
//! the configured certificates, so TLS adds nothing to what it proves, and
//! most public TSAs are served over plain HTTP for that reason; leaving TLS
//! out keeps a TLS stack (and its build time) out of docket. An `https://`
//! URL is refused with a message saying so. Proxies are taken from the
//! usual environment variables (`HTTP_PROXY`, `NO_PROXY`). Every exchange
//! has a time limit, so a CI job never hangs on a TSA that does not answer.

use std::time::Duration;

/// How long one exchange with a TSA may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The most a reply may hold: a token is a few KiB.
const MAX_REPLY: u64 = 1024 * 1024;

/// POST `body` to `url`; the reply's bytes, or what went wrong.
pub fn post(url: &str, body: &[u8]) -> Result<Vec<u8>, String> {
    if url.starts_with("https://") {
        return Err(format!(
            "{url}: docket asks TSAs over plain http:// (a token is signed, so TLS adds nothing to it); \
             use the TSA's http:// address"
        ));
    }
    if !url.starts_with("http://") {
        return Err(format!("{url} is not an http:// URL"));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("docket/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut resp = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .send(body)
        .map_err(|e| format!("cannot reach the TSA at {url}: {e}"))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("the TSA at {url} answered HTTP {status}"));
    }
    resp.body_mut()
        .with_config()
        .limit(MAX_REPLY)
        .read_to_vec()
        .map_err(|e| format!("reading the TSA's reply from {url}: {e}"))
}
