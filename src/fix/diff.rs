//! The planned changes as a unified diff, paths relative to the root (`a/PATH`, `b/PATH`,
//! `/dev/null` for new files), so `git apply` accepts it from the root.

use super::plan::PlannedFile;
use similar::TextDiff;

/// The unified diff of all planned files (empty when nothing changes).
pub fn unified_diff(files: &[PlannedFile]) -> String {
    let mut out = String::new();
    for file in files {
        let original = file.original.as_deref().unwrap_or_default();
        if original == file.updated {
            continue;
        }
        let old_name = if file.original.is_some() {
            format!("a/{}", file.path)
        } else {
            "/dev/null".to_owned()
        };
        let new_name = format!("b/{}", file.path);
        let diff = TextDiff::from_lines(original, file.updated.as_str());
        out.push_str(&format!("diff --git a/{0} b/{0}\n", file.path));
        if file.original.is_none() {
            out.push_str("new file mode 100644\n");
        }
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&old_name, &new_name)
                .to_string(),
        );
    }
    out
}
