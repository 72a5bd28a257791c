//! One HTTP/1.1 keep-alive connection per client, on hyper's connection-level client: no pool,
//! so a client's requests go one after another over its own socket, as a browser tab or a
//! case-handling system's worker would send them. A connection the server closed, or one a
//! request failed on, is opened again before the next request.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// How long a request may wait for its whole answer before it counts as a timeout.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long opening a connection may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read; a longer one counts as a failure, not as memory.
pub(crate) const ANSWER_BYTES_MAX: usize = 1 << 20;

/// Where requests go, and the headers every request carries.
pub(crate) struct Target {
    address: SocketAddr,
    host: HeaderValue,
    authorization: HeaderValue,
}

impl Target {
    /// `url` is `http://HOST:PORT` (a path after it is ignored).
    pub(crate) fn new(url: &str, token: &str) -> Result<Target, String> {
        let uri: Uri = url.parse().map_err(|error| format!("--url `{url}`: {error}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!("--url `{url}`: only http:// is supported"));
        }
        let authority = uri.authority().ok_or_else(|| format!("--url `{url}` names no host"))?;
        let port = authority.port_u16().unwrap_or(80);
        let address = (authority.host(), port)
            .to_socket_addrs()
            .map_err(|error| format!("--url `{url}`: {error}"))?
            .next()
            .ok_or_else(|| format!("--url `{url}`: the host has no address"))?;
        let host = HeaderValue::from_str(authority.as_str()).map_err(|error| format!("--url `{url}`: {error}"))?;
        let authorization =
            HeaderValue::from_str(&format!("Bearer {token}")).map_err(|error| format!("--token: {error}"))?;
        Ok(Target { address, host, authorization })
    }

    /// A request with the host and the bearer token, and a JSON body when one is given.
    pub(crate) fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(HeaderName, String)],
        body: Option<String>,
    ) -> Result<Request<Full<Bytes>>, Failure> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.host.clone())
            .header(AUTHORIZATION, self.authorization.clone());
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let body = match body {
            Some(text) => {
                builder = builder.header(CONTENT_TYPE, "application/json");
                Bytes::from(text)
            }
            None => Bytes::new(),
        };
        builder.body(Full::new(body)).map_err(|_| Failure::Request)
    }
}

/// Why a request got no usable answer.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Failure {
    /// The request could not be built (a header value the client made up is not valid).
    Request,
    Connect,
    Timeout,
    /// The connection broke while the request was out.
    Transport,
    /// The answer's body broke off or was longer than `ANSWER_BYTES_MAX`.
    Body,
}

impl Failure {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Failure::Request => "request not built",
            Failure::Connect => "connect failed",
            Failure::Timeout => "timeout",
            Failure::Transport => "connection broke",
            Failure::Body => "answer body broke off or too long",
        }
    }
}

/// An answer: its status, its whole body, and the time from sending to the body's end.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) latency: Duration,
}

/// Opens a connection and spawns the task that drives it.
pub(crate) async fn connect(target: &Target) -> Result<SendRequest<Full<Bytes>>, Failure> {
    let opening = async {
        let stream = TcpStream::connect(target.address).await.map_err(|_| Failure::Connect)?;
        stream.set_nodelay(true).map_err(|_| Failure::Connect)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|_| Failure::Connect)?;
        tokio::spawn(async move {
            // The connection ends when the client drops its sender or the server closes it; the
            // next request then notices and connects again.
            let _ = connection.await;
        });
        Ok(sender)
    };
    tokio::time::timeout(CONNECT_TIMEOUT, opening).await.map_err(|_| Failure::Connect)?
}

/// Sends a request on a ready connection and returns the answer's head, its body still to read.
pub(crate) async fn send_head(
    sender: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> Result<Response<Incoming>, Failure> {
    sender.ready().await.map_err(|_| Failure::Transport)?;
    sender.send_request(request).await.map_err(|_| Failure::Transport)
}

/// One client's connection, opened on first use and again after a failure.
pub(crate) struct Client {
    target: Arc<Target>,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Client {
    pub(crate) fn new(target: Arc<Target>) -> Client {
        Client { target, sender: None }
    }

    pub(crate) fn target(&self) -> &Target {
        &self.target
    }

    /// Sends one request and reads its whole answer. After a failure the connection is dropped,
    /// so a late answer cannot be taken for the next request's.
    pub(crate) async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Answer, Failure> {
        let mut sender = match self.sender.take() {
            Some(mut sender) if !sender.is_closed() => {
                if sender.ready().await.is_ok() {
                    sender
                } else {
                    connect(&self.target).await?
                }
            }
            _ => connect(&self.target).await?,
        };
        let started = Instant::now();
        let exchange = async {
            let response = send_head(&mut sender, request).await?;
            let status = response.status();
            let body = Limited::new(response.into_body(), ANSWER_BYTES_MAX);
            let bytes = body.collect().await.map_err(|_| Failure::Body)?.to_bytes();
            Ok::<_, Failure>((status, bytes))
        };
        let (status, body) = tokio::time::timeout(REQUEST_TIMEOUT, exchange).await.map_err(|_| Failure::Timeout)??;
        let latency = started.elapsed();
        self.sender = Some(sender);
        Ok(Answer { status, body, latency })
    }
}
