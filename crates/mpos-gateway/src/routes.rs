//! The route table: every (method, path, handler) of the API in one list,
//! used to build the router and, in tests, to check the OpenAPI document.

use crate::domain::client_address::client_address;
use crate::error::{method_not_allowed, not_found, ApiJson, AppError};
use crate::server::ClientAddr;
use crate::state::AppState;
use crate::{admin, auth, payments, receipts, settlement};
use axum::extract::{MatchedPath, Request, State};
use axum::handler::Handler;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{Json, Router};
use mpos_wire::api::{paths, AppStatus, SetClockRequest};
use mpos_wire::ErrorCode;
use std::time::{Duration, Instant};

/// One route.
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path template (`{id}` style, as in OpenAPI).
    pub path: &'static str,
    /// What answers it.
    pub handler: MethodRouter<AppState>,
}

fn route<H, T>(method: Method, path: &'static str, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("standard methods only");
    Route {
        method,
        path,
        handler: on(filter, handler),
    }
}

/// Every route; the test-clock route only when `test_clock` is on.
pub fn table(test_clock: bool) -> Vec<Route> {
    let mut routes = vec![
        route(Method::GET, paths::HEALTH, health),
        route(Method::GET, paths::OPENAPI, openapi),
        route(Method::GET, paths::APP_STATUS, app_status),
        route(Method::POST, paths::LOGIN, auth::handlers::login),
        route(Method::POST, paths::ACTIVATE, auth::handlers::activate),
        route(
            Method::POST,
            paths::PASSWORD,
            auth::handlers::change_password,
        ),
        route(
            Method::POST,
            paths::VERIFY_PASSWORD,
            auth::handlers::verify_password,
        ),
        route(Method::POST, paths::LOGOUT, auth::handlers::logout),
        route(
            Method::GET,
            paths::TERMINAL_CONFIG,
            auth::handlers::terminal_config,
        ),
        route(Method::POST, paths::SALES, payments::sale::sale),
        route(Method::POST, paths::REFUNDS, payments::refund::refund),
        route(Method::POST, paths::VOIDS, payments::void::void),
        route(Method::POST, paths::REVERSALS, payments::reversal::reversal),
        route(Method::GET, paths::TRANSACTIONS, payments::search::search),
        route(Method::GET, paths::TRANSACTION, payments::search::get),
        route(Method::POST, paths::SIGNATURE, receipts::signature::sign),
        route(Method::POST, paths::RECEIPT, receipts::send::send),
        route(
            Method::GET,
            paths::SETTLEMENT_PREVIEW,
            settlement::handlers::preview,
        ),
        route(Method::POST, paths::SETTLE, settlement::handlers::settle),
        route(Method::GET, paths::RECEIPT_PAGE, receipts::page::page),
        route(Method::POST, paths::ADMIN_USERS, admin::create_user),
        route(Method::GET, paths::ADMIN_USERS, admin::list_users),
        route(Method::POST, paths::ADMIN_USER_DISABLE, admin::disable_user),
        route(Method::POST, paths::ADMIN_USER_RESET, admin::reset_password),
        route(
            Method::GET,
            paths::ADMIN_TRANSACTIONS,
            admin::list_transactions,
        ),
        route(Method::GET, paths::ADMIN_BATCHES, admin::list_batches),
    ];
    if test_clock {
        routes.push(route(Method::PUT, paths::TEST_CLOCK, set_clock));
    }
    routes
}

/// The router with request logging and JSON errors for unknown paths and methods.
pub fn router(state: AppState) -> Router {
    let test_clock = state.test_clock.is_some();
    let mut router: Router<AppState> = Router::new();
    for route in table(test_clock) {
        router = router.route(route.path, route.handler);
    }
    let request_timeout = Duration::from_millis(state.config.network.request_timeout_ms);
    router
        .merge(crate::portal::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(move |request, next| {
            answer_within(request_timeout, request, next)
        }))
        .layer(axum::middleware::from_fn(log_request))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            resolve_client,
        ))
        .with_state(state)
}

/// Replaces the connection's peer by the client a trusted load balancer
/// names in `X-Forwarded-For` (`domain::client_address`).
async fn resolve_client(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let trusted = &state.config.network.trusted_proxies;
    if let Some(peer) = request.extensions().get::<ClientAddr>().copied() {
        if !trusted.is_empty() {
            let forwarded: Vec<&str> = request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .collect();
            let client = client_address(peer.0.ip(), &forwarded, trusted);
            request
                .extensions_mut()
                .insert(ClientAddr(std::net::SocketAddr::new(client, 0)));
        }
    }
    next.run(request).await
}

/// The headers every answer carries: HTTPS only from now on, no sniffing,
/// no framing, no referrer, nothing cached (answers hold account and card
/// data), and a policy that loads nothing unless the handler set its own.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults = [
        (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, header::HeaderValue::from_static(value));
        }
    }
    response
}

/// Answers `request_timeout` once a request's headers are in: a body that
/// trickles or stalls gets `request_timeout` (408) and the connection is
/// closed. Work a financial request started runs on in its own task
/// (`payments::idempotency`), so a retry learns how it ended.
async fn answer_within(limit: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::info!(event = "request_timeout", "request not answered in time");
            let mut response = AppError::from(ErrorCode::RequestTimeout).into_response();
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            response
        }
    }
}

/// Logs each request: method, route template (never the raw URI or query), status, time.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "<unmatched>".into());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        event = "http_request",
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// `GET /health`.
async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /v1/app/status`: anyone may ask (no session); it names no merchant,
/// user or transaction, only the gateway's time and the announced versions.
async fn app_status(State(state): State<AppState>) -> Json<AppStatus> {
    Json(AppStatus {
        server_time: crate::clock::format_time(state.clock.now()),
        latest_app_version: state.config.app_releases.latest.clone(),
        minimum_app_version: state.config.app_releases.minimum.clone(),
    })
}

/// `GET /v1/openapi.json`.
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}

/// `PUT /v1/test/clock` (test clock only).
async fn set_clock(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SetClockRequest>,
) -> Result<Json<SetClockRequest>, AppError> {
    let clock = state.test_clock.as_ref().ok_or(ErrorCode::NotFound)?;
    let now = crate::clock::parse_time(&request.now)
        .map_err(|_| AppError::detail(ErrorCode::BadRequest, "now must be RFC 3339"))?;
    clock.set(now);
    tracing::info!(event = "test_clock_set", now = %crate::clock::format_time(now), "test clock set");
    Ok(Json(SetClockRequest {
        now: crate::clock::format_time(now),
    }))
}
