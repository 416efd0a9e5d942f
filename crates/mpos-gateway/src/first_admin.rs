//! `mpos-gateway create-admin`: a named administrator created from the
//! command line on the gateway's machine, with a generated password shown
//! once. The first administrator can only come this way; the portal asks
//! them to enrol a second factor at their first sign-in.

use crate::admin::phone_users::valid_username;
use crate::audit::Action;
use crate::auth::password::Passwords;
use crate::config::GatewayConfig;
use crate::ids::random_password;
use crate::notify::contact::valid_email;
use crate::store::{AuditEntry, NewAdmin, StoreError};
use crate::{load_pepper, open_store, private_files, GatewayError};
use std::path::Path;
use time::OffsetDateTime;

/// Characters of a generated administrator password (PCI DSS 8.3.6 asks for 12 at least).
pub const PASSWORD_LENGTH: usize = 16;

/// Who to create.
#[derive(Debug, Clone)]
pub struct AdminRequest {
    /// Sign-in name.
    pub username: String,
    /// Person's name.
    pub name: String,
    /// E-mail.
    pub email: String,
}

/// The administrator created and their password (shown once, stored hashed).
#[derive(Debug, Clone)]
pub struct CreatedAdmin {
    /// Id.
    pub id: String,
    /// Sign-in name.
    pub username: String,
    /// The generated password.
    pub password: String,
}

/// Why the command refused (with what to do).
#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    /// The input is not acceptable.
    #[error("{0}")]
    Invalid(&'static str),
    /// The name is taken.
    #[error("an administrator named {0} already exists; choose another name")]
    Taken(String),
    /// The gateway's files or database failed.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
}

impl From<StoreError> for CreateAdminError {
    fn from(error: StoreError) -> Self {
        CreateAdminError::Gateway(GatewayError::Store(error))
    }
}

/// Creates the administrator in the gateway's database (the one `config` and `data_dir` name).
pub async fn create_admin(
    config: &GatewayConfig,
    data_dir: &Path,
    request: &AdminRequest,
    now: OffsetDateTime,
) -> Result<CreatedAdmin, CreateAdminError> {
    if !valid_username(&request.username)
        || request.username == crate::auth::admin_token::AUTOMATION_USERNAME
    {
        return Err(CreateAdminError::Invalid(
            "--username must be 3 to 32 letters, digits, '.', '_' or '-' (and not \"automation\")",
        ));
    }
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(CreateAdminError::Invalid(
            "--name must be 1 to 100 characters",
        ));
    }
    if !valid_email(&request.email) {
        return Err(CreateAdminError::Invalid(
            "--email must be an e-mail address",
        ));
    }
    private_files::create_dir(data_dir).map_err(|source| GatewayError::Io {
        what: "create the data directory",
        path: data_dir.to_path_buf(),
        source,
    })?;
    let store = open_store(config, data_dir).await?;
    let passwords = Passwords::new(load_pepper(config, data_dir)?);
    let password = random_password(PASSWORD_LENGTH);
    let hash = passwords
        .hash(password.clone())
        .await
        .map_err(|e| StoreError::Database(format!("hashing failed: {e}")))?;
    let admin = match store
        .admins()
        .create(&NewAdmin {
            username: request.username.clone(),
            name: name.to_string(),
            email: request.email.clone(),
            password_hash: Some(hash),
            created_at: now,
        })
        .await
    {
        Ok(admin) => admin,
        Err(StoreError::UsernameTaken) => {
            return Err(CreateAdminError::Taken(request.username.clone()))
        }
        Err(e) => return Err(e.into()),
    };
    store
        .audit_log()
        .append(&AuditEntry {
            seq: 0,
            at: now,
            admin_id: admin.id.clone(),
            admin_username: admin.username.clone(),
            action: Action::AdminCreated.name().into(),
            target: admin.id.clone(),
            detail: format!(
                "{} <{}>, by the create-admin command",
                admin.name, admin.email
            ),
            client: "command line".into(),
        })
        .await?;
    Ok(CreatedAdmin {
        id: admin.id,
        username: admin.username,
        password,
    })
}
