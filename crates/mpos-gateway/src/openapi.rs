//! The hand-written OpenAPI 3.1 document of the API (`docs/openapi.json`).

/// The document, served at `GET /v1/openapi.json`.
pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");
