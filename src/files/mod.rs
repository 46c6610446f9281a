//! Every file factlint reads or writes goes through here, so that no command can read
//! outside the project, block on a FIFO, read a device forever, loop on symlinks or
//! replace something that is not a regular file.
//!
//! - [`read`]: a path resolved (symlinks followed) and, unless the user named it,
//!   inside one of the project's roots ([`Confine`]); opened without blocking; kept only
//!   if the opened thing is a regular file; read up to a size bound.
//! - [`walk`]: a folder's files in sorted order, hidden entries skipped, symlinked
//!   folders that loop or lead outside the roots reported instead of followed, names
//!   that are not UTF-8 reported instead of skipped.
//! - [`write`]: a regular file (or a path that does not exist yet) is replaced
//!   atomically (a temporary file beside it, synced, renamed over it; the temporary
//!   file is removed on every error path and stale ones of ours are removed the next
//!   time the same file is written); anything else (a device such as `/dev/null`, a
//!   FIFO) is written straight through and never replaced.
//!
//! Errors are [`FileError`]s; [`FileError::diagnostic`] words them for people and
//! quotes nothing of the file.

use crate::diag::{Diagnostic, Span};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The folders a run may read from. Paths the user names on the command line are
/// read wherever they are ([`Confine::anywhere`]); paths named by files (includes,
/// `factlint.yaml`) must resolve inside the roots.
#[derive(Clone, Debug, Default)]
pub struct Confine {
    /// Canonical folders; `None` reads anywhere.
    roots: Option<Vec<PathBuf>>,
}

impl Confine {
    /// No bound: the user named the path.
    pub fn anywhere() -> Confine {
        Confine { roots: None }
    }

    /// Inside any of `roots` (each resolved; roots that do not exist are left out).
    pub fn within<'a>(roots: impl IntoIterator<Item = &'a Path>) -> Confine {
        let roots = roots
            .into_iter()
            .filter_map(|r| fs::canonicalize(r).ok())
            .collect();
        Confine { roots: Some(roots) }
    }

    /// Add a root (resolved).
    pub fn add(&mut self, root: &Path) {
        if let (Some(roots), Ok(c)) = (self.roots.as_mut(), fs::canonicalize(root)) {
            if !roots.contains(&c) {
                roots.push(c);
            }
        }
    }

    /// Whether a resolved path is allowed.
    pub fn allows(&self, resolved: &Path) -> bool {
        match &self.roots {
            None => true,
            Some(roots) => roots.iter().any(|r| resolved.starts_with(r)),
        }
    }

    /// The roots, for messages.
    pub fn roots(&self) -> &[PathBuf] {
        self.roots.as_deref().unwrap_or(&[])
    }
}

/// Whether `path` resolves inside `confine`: symlinks followed as far as the path
/// exists, and the rest (a file not written yet) free of `..`.
pub fn resolves_inside(path: &Path, confine: &Confine) -> bool {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(c) = fs::canonicalize(if at.as_os_str().is_empty() {
            Path::new(".")
        } else {
            at
        }) {
            if rest
                .iter()
                .any(|c: &std::path::Component| !matches!(c, std::path::Component::Normal(_)))
            {
                return false;
            }
            let mut full = c;
            for c in rest.iter().rev() {
                full.push(c);
            }
            return confine.allows(&full);
        }
        let mut comps = at.components();
        match comps.next_back() {
            Some(c) => {
                rest.push(c);
                at = comps.as_path();
            }
            None => return false,
        }
    }
}

/// `path` with symlinks resolved, if it exists (a key for "the same file").
pub fn resolve(path: &Path) -> Option<PathBuf> {
    fs::canonicalize(path).ok()
}

/// What a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Fifo,
    Device,
    Socket,
    /// A symlink that leads nowhere.
    Dangling,
    /// Symlinks that lead to each other.
    Loop,
    Missing,
    Other,
}

impl Kind {
    /// For people: "a folder", "a named pipe (FIFO)".
    pub fn describe(self) -> &'static str {
        match self {
            Kind::File => "a regular file",
            Kind::Dir => "a folder",
            Kind::Fifo => "a named pipe (FIFO), which could block the run forever",
            Kind::Device => "a device, which could be read forever",
            Kind::Socket => "a socket",
            Kind::Dangling => "a symlink to nothing",
            Kind::Loop => "a loop of symlinks",
            Kind::Missing => "nothing (no such file)",
            Kind::Other => "not a regular file",
        }
    }
}

fn kind_of_type(t: fs::FileType) -> Kind {
    if t.is_file() {
        return Kind::File;
    }
    if t.is_dir() {
        return Kind::Dir;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Kind::Fifo;
        } else if t.is_char_device() || t.is_block_device() {
            return Kind::Device;
        } else if t.is_socket() {
            return Kind::Socket;
        }
    }
    Kind::Other
}

fn is_loop(e: &io::Error) -> bool {
    // ELOOP: 40 on Linux, 62 on the BSDs and macOS
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// What `path` is, symlinks followed; never blocks. `-` (standard input) is a file.
pub fn kind(path: &Path) -> Kind {
    if is_stdin(path) {
        return Kind::File;
    }
    match fs::metadata(path) {
        Ok(m) => kind_of_type(m.file_type()),
        Err(e) if is_loop(&e) => Kind::Loop,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok() {
                Kind::Dangling
            } else {
                Kind::Missing
            }
        }
        Err(_) => Kind::Other,
    }
}

/// Why a file could not be read or written.
#[derive(Debug)]
pub enum FileError {
    Missing,
    /// It resolves outside the project.
    Outside,
    NotRegular(Kind),
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// A folder reached again through symlinks.
    Loop,
    /// A name that is not UTF-8 (shown with U+FFFD).
    NotUtf8Name,
    Io(io::Error),
}

impl FileError {
    fn from_io(e: io::Error) -> FileError {
        if is_loop(&e) {
            FileError::Loop
        } else if e.kind() == io::ErrorKind::NotFound {
            FileError::Missing
        } else {
            FileError::Io(e)
        }
    }

    /// A diagnostic for `what` (e.g. "rule file", "config") named `name`, located at
    /// the file itself. Nothing of the file's contents is quoted.
    pub fn diagnostic(&self, what: &str, name: &str) -> Diagnostic {
        let shown = crate::diag::escape::visible(name);
        let d = match self {
            FileError::Missing => Diagnostic::error("F0001", format!("{what} `{shown}` does not exist")),
            FileError::Outside => Diagnostic::error("F0003", format!("{what} `{shown}` is outside the project"))
                .expected("a path inside the project (the folder of factlint.yaml, or the rules or data folder given)")
                .found("a path that resolves outside it (symlinks followed)")
                .help("copy the file into the project, or name it on the command line"),
            FileError::NotRegular(k) => Diagnostic::error("F0004", format!("{what} `{shown}` is not a regular file"))
                .expected("a regular file")
                .found(k.describe()),
            FileError::TooLarge { size, limit } => Diagnostic::error("F0005", format!("{what} `{shown}` is too large"))
                .expected(format!("at most {limit} bytes"))
                .found(format!("{size} bytes"))
                .help("split the file, or raise the limit where a flag allows it (docs/budgets.md)"),
            FileError::Loop => Diagnostic::error("F0006", format!("{what} `{shown}` is reached through a loop of symlinks"))
                .expected("symlinks that end in a file or a folder")
                .found("a symlink that leads back to a folder above it, or symlinks that lead to each other")
                .help("remove the symlink; it was not followed"),
            FileError::NotUtf8Name => Diagnostic::error("F0007", format!("{what} `{shown}` has a name that is not UTF-8"))
                .expected("a file name in UTF-8")
                .found("bytes that are not UTF-8 (shown as \u{fffd})")
                .help("rename the file: its records could not be cited by name"),
            FileError::Io(e) => Diagnostic::error("F0002", format!("cannot read {what} `{shown}`"))
                .found(e.to_string()),
        };
        d.at(file_span(name), "this file")
    }
}

/// A span naming a whole file (line 1, column 1, nothing quoted).
pub fn file_span(name: &str) -> Span {
    Span::new(Arc::from(name), 0, 0, 1, 1)
}

/// Whether `path` is `-`, which stands for standard input (data or rules given on the
/// command line; a file never names it, as a file's paths are joined to its folder).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Standard input, read once (at most `limit` bytes the first time) and kept: every
/// read of `-` in a run gets the same bytes.
fn read_stdin(limit: u64) -> Result<Vec<u8>, FileError> {
    static STDIN: std::sync::OnceLock<Result<Vec<u8>, (u64, String)>> = std::sync::OnceLock::new();
    let got = STDIN.get_or_init(|| {
        let mut out = Vec::new();
        match io::stdin().lock().take(limit + 1).read_to_end(&mut out) {
            Ok(_) if out.len() as u64 > limit => Err((out.len() as u64, String::new())),
            Ok(_) => Ok(out),
            Err(e) => Err((0, e.to_string())),
        }
    });
    match got {
        Ok(b) if b.len() as u64 <= limit => Ok(b.clone()),
        Ok(b) => Err(FileError::TooLarge {
            size: b.len() as u64,
            limit,
        }),
        Err((size, msg)) if msg.is_empty() => Err(FileError::TooLarge { size: *size, limit }),
        Err((_, msg)) => Err(FileError::Io(io::Error::other(msg.clone()))),
    }
}

/// Read the file at `path`: resolved, inside `confine`, a regular file, at most
/// `limit` bytes. `-` is standard input ([`is_stdin`]).
pub fn read(path: &Path, confine: &Confine, limit: u64) -> Result<Vec<u8>, FileError> {
    if is_stdin(path) {
        return read_stdin(limit);
    }
    let resolved = fs::canonicalize(path).map_err(FileError::from_io)?;
    if !confine.allows(&resolved) {
        return Err(FileError::Outside);
    }
    // stat first: a FIFO or device is refused before it is opened
    let k = kind(&resolved);
    if k != Kind::File {
        return Err(match k {
            Kind::Missing => FileError::Missing,
            Kind::Loop => FileError::Loop,
            k => FileError::NotRegular(k),
        });
    }
    let file = open_nonblocking(&resolved, false).map_err(FileError::from_io)?;
    // and again on what was opened: it may have been swapped since
    let meta = file.metadata().map_err(FileError::Io)?;
    let k = kind_of_type(meta.file_type());
    if k != Kind::File {
        return Err(FileError::NotRegular(k));
    }
    if meta.len() > limit {
        return Err(FileError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(FileError::Io)?;
    if out.len() as u64 > limit {
        // it grew while read
        return Err(FileError::TooLarge {
            size: out.len() as u64,
            limit,
        });
    }
    Ok(out)
}

/// [`read`], as UTF-8 text (a byte-order mark dropped). Text that is not UTF-8 is an
/// I/O error of kind `InvalidData`.
pub fn read_text(path: &Path, confine: &Confine, limit: u64) -> Result<String, FileError> {
    let bytes = read(path, confine, limit)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        FileError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (the first bad byte is at byte {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    })
}

/// Open for reading (or writing) without waiting: a FIFO with no writer (or reader)
/// does not block the open.
fn open_nonblocking(path: &Path, write: bool) -> io::Result<File> {
    let mut o = File::options();
    o.read(!write).write(write);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

/// What [`walk`] found.
#[derive(Debug, Default)]
pub struct Walked {
    /// The files accepted, in sorted order of their paths.
    pub files: Vec<PathBuf>,
    /// Entries not followed or not read, with why.
    pub errors: Vec<(PathBuf, FileError)>,
}

/// The files under `dir` that `accept` takes (given the path and whether it is a
/// folder; a folder not accepted is not entered), hidden entries skipped. A symlinked
/// folder that leads to a folder above it (or one already walked) or outside
/// `confine`, and a name that is not UTF-8, are errors and are not followed.
pub fn walk(dir: &Path, confine: &Confine, accept: &dyn Fn(&Path, bool) -> bool) -> Walked {
    walk_to(dir, confine, accept)
}

/// [`walk`] without entering folders: the files of `dir` itself.
pub fn list(dir: &Path, confine: &Confine, accept: &dyn Fn(&Path) -> bool) -> Walked {
    // folders are never accepted, so never entered
    walk_to(dir, confine, &|p, is_dir| !is_dir && accept(p))
}

fn walk_to(dir: &Path, confine: &Confine, accept: &dyn Fn(&Path, bool) -> bool) -> Walked {
    let mut out = Walked::default();
    let mut seen = Vec::new();
    match fs::canonicalize(dir) {
        Ok(c) => {
            seen.push(c);
            walk_in(dir, confine, accept, &mut seen, &mut out);
        }
        Err(e) => out.errors.push((dir.to_path_buf(), FileError::from_io(e))),
    }
    out
}

fn walk_in(
    dir: &Path,
    confine: &Confine,
    accept: &dyn Fn(&Path, bool) -> bool,
    seen: &mut Vec<PathBuf>,
    out: &mut Walked,
) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.errors.push((dir.to_path_buf(), FileError::from_io(e)));
            return;
        }
    };
    let mut paths = Vec::new();
    for e in entries {
        match e {
            Ok(e) => paths.push(e.path()),
            Err(e) => out.errors.push((dir.to_path_buf(), FileError::Io(e))),
        }
    }
    paths.sort();
    for p in paths {
        let Some(name) = p.file_name() else { continue };
        let lossy = name.to_string_lossy();
        if lossy.starts_with('.') {
            continue;
        }
        let k = kind(&p);
        let is_dir = k == Kind::Dir;
        if !accept(&p, is_dir) {
            continue;
        }
        if name.to_str().is_none() {
            out.errors.push((p, FileError::NotUtf8Name));
            continue;
        }
        match k {
            Kind::Dir => {
                let Ok(resolved) = fs::canonicalize(&p) else {
                    continue;
                };
                if !confine.allows(&resolved) {
                    out.errors.push((p, FileError::Outside));
                } else if seen
                    .iter()
                    .any(|s| s == &resolved || s.starts_with(&resolved))
                {
                    out.errors.push((p, FileError::Loop));
                } else {
                    seen.push(resolved);
                    walk_in(&p, confine, accept, seen, out);
                }
            }
            Kind::Loop => out.errors.push((p, FileError::Loop)),
            Kind::File => match fs::canonicalize(&p) {
                Ok(resolved) if !confine.allows(&resolved) => {
                    out.errors.push((p, FileError::Outside))
                }
                _ => out.files.push(p),
            },
            k => out.errors.push((p, FileError::NotRegular(k))),
        }
    }
}

/// Write `contents` to `path`: atomically when it is a regular file or does not exist
/// (through a symlink, the file it leads to is replaced and the symlink kept), straight
/// through when it is anything else (`/dev/null`, a FIFO), which is never replaced.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_with(path, &mut |w| w.write_all(contents))
}

/// [`write`], with the contents produced by `produce` (for streaming output).
pub fn write_with(
    path: &Path,
    produce: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    leads_out_of_cwd(path)?;
    let target = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
        Ok(m) if m.file_type().is_symlink() => match kind(path) {
            Kind::File => fs::canonicalize(path)?,
            Kind::Missing | Kind::Dangling => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is a symlink to nothing; not replaced",
                ))
            }
            Kind::Loop => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is a loop of symlinks; not replaced",
                ))
            }
            Kind::Dir => return Err(is_a_folder()),
            _ => return write_through(path, produce),
        },
        Ok(m) if m.is_dir() => return Err(is_a_folder()),
        Ok(m) if !m.is_file() => return write_through(path, produce),
        Ok(_) => path.to_path_buf(),
    };
    write_atomic(&target, produce)
}

/// A path inside the current folder (the project a CI job runs in, where a pull
/// request can put symlinks) is written only where it resolves inside it: a pull
/// request's `report.json` (or `out/`) that leads to `/etc/passwd` or a disk must not
/// have it replaced or written. A path outside it (`/dev/stdout`, `/tmp/x.json`) is
/// the user's, symlinks and all.
fn leads_out_of_cwd(path: &Path) -> io::Result<()> {
    let Ok(raw) = std::env::current_dir() else {
        return Ok(());
    };
    let Ok(cwd) = fs::canonicalize(&raw) else {
        return Ok(());
    };
    let inside_as_written = if path.is_absolute() {
        path.starts_with(&raw) || path.starts_with(&cwd)
    } else {
        path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
    };
    let here = Confine {
        roots: Some(vec![cwd]),
    };
    if inside_as_written && !resolves_inside(path, &here) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is inside the project but a symlink leads it outside; not followed (give the real path)",
        ));
    }
    Ok(())
}

fn is_a_folder() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "it is a folder")
}

/// Devices and FIFOs: opened for writing as they are, never created, truncated or
/// replaced. Opened without blocking, so a FIFO nobody reads is an error, not a hang.
fn write_through(
    path: &Path,
    produce: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let f = open_nonblocking(path, true).map_err(|e| {
        if e.raw_os_error() == Some(ENXIO) {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "it is a FIFO that nobody reads; nothing was written",
            )
        } else {
            e
        }
    })?;
    let mut w = Patient(f);
    produce(&mut w)?;
    w.flush()
}

#[cfg(unix)]
const ENXIO: i32 = libc::ENXIO;
#[cfg(not(unix))]
const ENXIO: i32 = -1;

/// A writer to a non-blocking file that waits while a pipe is full instead of failing.
struct Patient(File);

impl Write for Patient {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.0.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_millis(1))
                }
                r => return r,
            }
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The name of our temporary files for `name`: `.{name}.{pid}.{n}.factlint-tmp`.
const TMP_SUFFIX: &str = ".factlint-tmp";

fn write_atomic(
    path: &Path,
    produce: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "it does not name a file"))?;
    remove_stale_temps(&dir);
    let (tmp_path, file) = loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.{n}{TMP_SUFFIX}", std::process::id()));
        let tmp_path = dir.join(tmp_name);
        match File::options().write(true).create_new(true).open(&tmp_path) {
            Ok(f) => break (tmp_path, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    };
    // removed on every way out of here but success
    let guard = TempGuard(Some(tmp_path.clone()));
    let mut w = io::BufWriter::new(file);
    produce(&mut w)?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    // keep the permissions of the file being replaced
    if let Ok(meta) = fs::metadata(path) {
        if meta.is_file() {
            file.set_permissions(meta.permissions())?;
        }
    }
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp_path, path)?;
    guard.keep();
    // make the rename itself durable; not every platform can sync a folder
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

struct TempGuard(Option<PathBuf>);

impl TempGuard {
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Remove our temporary files in `dir` left by a run that was killed: those of a
/// process that no longer runs (where that can be told) or older than a day. Each
/// folder is looked through once a process (`fmt` writes many files in one).
fn remove_stale_temps(dir: &Path) {
    static CLEANED: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<PathBuf>>> =
        std::sync::OnceLock::new();
    let first = CLEANED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(dir.to_path_buf());
    if !first {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let fname = e.file_name();
        let Some(fname) = fname.to_str() else {
            continue;
        };
        // `.{name}.{pid}.{n}{TMP_SUFFIX}`
        let Some(rest) = fname
            .strip_prefix('.')
            .and_then(|r| r.strip_suffix(TMP_SUFFIX))
        else {
            continue;
        };
        let Some(pid) = rest.rsplit('.').nth(1).and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let Ok(meta) = e.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let gone = if Path::new("/proc/self").exists() {
            !Path::new(&format!("/proc/{pid}")).exists()
        } else {
            meta.modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600)
        };
        if gone {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("factlint-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn reads_inside_refuses_outside() {
        let d = tmp("confine");
        fs::create_dir_all(d.join("p")).unwrap();
        fs::write(d.join("p/a"), "x").unwrap();
        fs::write(d.join("secret"), "s").unwrap();
        let c = Confine::within([d.join("p").as_path()]);
        assert_eq!(read(&d.join("p/a"), &c, 10).unwrap(), b"x");
        assert!(matches!(
            read(&d.join("p/../secret"), &c, 10),
            Err(FileError::Outside)
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("secret"), d.join("p/link")).unwrap();
            assert!(matches!(
                read(&d.join("p/link"), &c, 10),
                Err(FileError::Outside)
            ));
            assert!(read(&d.join("p/link"), &Confine::anywhere(), 10).is_ok());
        }
        assert!(matches!(
            read(&d.join("p/a"), &c, 0),
            Err(FileError::TooLarge { .. })
        ));
        assert!(matches!(
            read(&d.join("p"), &c, 10),
            Err(FileError::NotRegular(Kind::Dir))
        ));
        fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_loops_are_refused() {
        let d = tmp("devices");
        std::os::unix::fs::symlink("/dev/zero", d.join("zero.yaml")).unwrap();
        assert!(matches!(
            read(&d.join("zero.yaml"), &Confine::anywhere(), 1 << 20),
            Err(FileError::NotRegular(Kind::Device))
        ));
        std::os::unix::fs::symlink(d.join("b"), d.join("a")).unwrap();
        std::os::unix::fs::symlink(d.join("a"), d.join("b")).unwrap();
        assert_eq!(kind(&d.join("a")), Kind::Loop);
        fs::create_dir_all(d.join("sub")).unwrap();
        std::os::unix::fs::symlink(&d, d.join("sub/up")).unwrap();
        let w = walk(&d, &Confine::anywhere(), &|_, _| true);
        assert!(w.errors.iter().any(|(_, e)| matches!(e, FileError::Loop)));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn writes_atomically_and_cleans_up() {
        let d = tmp("write");
        let p = d.join("out.json");
        // a temporary file of a process that is gone (of any name) is removed by the
        // first write in its folder
        let stale = d.join(format!(".other.json.{}.0{TMP_SUFFIX}", u32::MAX - 1));
        fs::write(&stale, "stale").unwrap();
        write(&p, b"one").unwrap();
        if Path::new("/proc/self").exists() {
            assert!(!stale.exists());
        } else {
            fs::remove_file(&stale).unwrap();
        }
        write(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        // a write that fails half way leaves the old file and no temporary file
        let err = write_with(&p, &mut |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let left: Vec<_> = fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().ends_with(TMP_SUFFIX))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_through() {
        // through a symlink: a regression replaces the symlink, not the machine's device
        let d = tmp("through");
        std::os::unix::fs::symlink("/dev/null", d.join("null")).unwrap();
        write(&d.join("null"), b"x").unwrap();
        assert!(fs::symlink_metadata(d.join("null"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(kind(&d.join("null")), Kind::Device);
        fs::remove_dir_all(&d).unwrap();
    }
}
