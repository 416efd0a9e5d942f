//! Files only the gateway's own user may read: the data directory and
//! every directory in it are 0700, and every file is 0600 from the moment
//! it exists (created with that mode, never written first and restricted
//! after). The database is created here, empty, before SQLite opens it, so
//! SQLite gives its WAL and shared-memory files the same mode.

use std::io::Write;
use std::path::Path;

/// Creates `dir` (and missing parents) owner-only, or makes an existing one owner-only.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    restrict(dir, 0o700)
}

/// Writes `contents` to a new file at `path`, owner read/write only from its first byte.
pub fn write_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    let mut file = options().create_new(true).open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Opens `path` for appending, creating it owner-only when missing.
pub fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    let file = options().create(true).append(true).open(path)?;
    restrict(path, 0o600)?;
    Ok(file)
}

/// Creates `path` empty and owner-only unless it exists; makes it owner-only either way.
pub fn touch(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    options().create(true).truncate(false).open(path)?;
    restrict(path, 0o600)
}

fn options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Sets the mode of something that may predate this version of the gateway.
#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_and_directories_are_owner_only_and_old_ones_are_made_so() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("a/b/secret");
        write_new(&file, b"x").unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        assert!(write_new(&file, b"y").is_err(), "never overwrites");
        let old = root.path().join("old.db");
        std::fs::write(&old, b"").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        touch(&old).unwrap();
        assert_eq!(mode(&old), 0o600);
    }
}
