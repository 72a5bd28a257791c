//! Reading a workflow's files for deployment while keeping a copy of each, and reading them back
//! from the store, so a deployed version loads exactly as it was deployed.

use crate::core::workflow::SourceReader;
use crate::store::SourceFile;

/// Wraps a reader and records every file it serves.
pub(crate) struct RecordingReader<'a> {
    pub(crate) inner: &'a mut dyn SourceReader,
    pub(crate) files: Vec<SourceFile>,
}

impl SourceReader for RecordingReader<'_> {
    fn read(&mut self, path: &str, from: &str) -> Result<(String, String), String> {
        let (name, text) = self.inner.read(path, from)?;
        self.files.push(SourceFile {
            path: path.to_owned(),
            from: from.to_owned(),
            name: name.clone(),
            text: text.clone(),
        });
        Ok((name, text))
    }
}

/// Serves the files recorded at deployment.
pub(crate) struct StoredReader<'a> {
    pub(crate) files: &'a [SourceFile],
}

impl SourceReader for StoredReader<'_> {
    fn read(&mut self, path: &str, from: &str) -> Result<(String, String), String> {
        self.files
            .iter()
            .find(|file| file.path == path && file.from == from)
            .map(|file| (file.name.clone(), file.text.clone()))
            .ok_or_else(|| format!("`{path}` (named in `{from}`) was not stored with the deployment"))
    }
}
