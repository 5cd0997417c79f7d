//! Files docket keeps for itself (the caches in `.git/docket`): written
//! whole or not at all, under a temporary name then renamed, so a reader
//! never sees half of one; and the temporary names of runs killed before
//! they could remove them, swept. The binary ones end with a hash of the
//! rest ([`write_checked`], [`read_checked`]): a file damaged on disk is
//! read as none, rather than as other data.

use std::path::Path;

/// Write (streamed by `write`, which says whether it succeeded) then
/// rename, so a reader never sees half a file; failures are ignored (a
/// read-only repository simply gets no cache).
pub(crate) fn write_atomic(
    target: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> bool,
) {
    use std::io::Write;
    let Some(dir) = target.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!("{name}.{}", std::process::id()));
    let written = std::fs::File::create(&tmp).is_ok_and(|f| {
        // Tens of megabytes at 50,000 orders: written in large pieces,
        // not in 8 KiB system calls.
        let mut w = std::io::BufWriter::with_capacity(1 << 18, f);
        write(&mut w) && w.flush().is_ok()
    });
    if !written || std::fs::rename(&tmp, target).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Write `value` in postcard to `w`, then the xxh3 hash of what was
/// written (8 bytes, little-endian), for [`read_checked`].
pub(crate) fn write_checked<T: serde::Serialize>(
    w: &mut impl std::io::Write,
    value: &T,
) -> std::io::Result<()> {
    let mut out = crate::fingerprint::Hashing {
        inner: w,
        hash: xxhash_rust::xxh3::Xxh3::new(),
    };
    postcard::to_io(value, &mut out).map_err(std::io::Error::other)?;
    let hash = out.hash.digest();
    out.inner.write_all(&hash.to_le_bytes())
}

/// The bytes of the file at `path` before its hash, and the hash, if the
/// hash that ends it is right ([`write_checked`]).
pub(crate) fn read_checked(path: &Path) -> Option<(Vec<u8>, u64)> {
    let mut bytes = std::fs::read(path).ok()?;
    let (body, hash) = bytes.split_last_chunk::<8>()?;
    let hash = u64::from_le_bytes(*hash);
    if xxhash_rust::xxh3::xxh3_64(body) != hash {
        return None;
    }
    bytes.truncate(bytes.len() - 8);
    Some((bytes, hash))
}

/// Remove from `dir` what runs that were killed left behind (a kill
/// removes nothing): `<name>.<pid>` files whose process is gone. Off
/// Linux, where docket does not look for the process, nothing is swept.
pub(crate) fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let pid = name.to_str().and_then(|n| n.rsplit_once('.'));
        let Some(pid) = pid.and_then(|(_, p)| p.parse::<u32>().ok()) else {
            continue;
        };
        let gone = cfg!(target_os = "linux") && !Path::new("/proc").join(pid.to_string()).exists();
        if gone && pid != std::process::id() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
