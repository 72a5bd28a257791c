//! `XesLog`: an event log in XES (IEEE 1849), the process-mining exchange format, read as a
//! stream of XML events with `quick-xml`. A trace is one case: its `concept:name` is the case id
//! and its other attributes are case attributes. Each trace's events are held until the trace
//! ends (its case id may come after them), so memory grows with the longest trace, not with the
//! file. Attributes are looked up by the same names as CSV columns (`concept:name`,
//! `time:timestamp`, `org:role`, `org:resource`, and the workflow's attribute names); nested
//! attributes, lists, containers and `<global>` defaults are skipped.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

use quick_xml::events::{BytesStart, Event};

use super::log_event::{LOG_RECORD_BYTES_MAX, LogColumns, LogEvent, UnreadableRow};

/// The rows of an XES log, one per `<event>`; `row` counts events from the start of the file.
pub struct XesLog<R: BufRead> {
    reader: quick_xml::Reader<Budgeted<R>>,
    buffer: Vec<u8>,
    columns: LogColumns,
    attributes: Vec<String>,
    pending: VecDeque<Result<LogEvent, UnreadableRow>>,
    events: u64,
    failed: bool,
}

/// The trace being read.
#[derive(Default)]
struct Trace {
    attributes: Vec<(String, String)>,
    events: Vec<(u64, Vec<(String, String)>)>,
}

const ATTRIBUTE_ELEMENTS: [&str; 6] = ["string", "date", "int", "float", "boolean", "id"];

impl<R: BufRead> XesLog<R> {
    /// A reader over `input`; `attributes` are the workflow's attribute names.
    pub fn new(input: R, columns: &LogColumns, attributes: &[&str]) -> XesLog<R> {
        let mut reader = quick_xml::Reader::from_reader(Budgeted { input, left_bytes: LOG_RECORD_BYTES_MAX });
        reader.config_mut().trim_text(true);
        XesLog {
            reader,
            buffer: Vec::new(),
            columns: columns.clone(),
            attributes: attributes.iter().map(|name| (*name).to_owned()).collect(),
            pending: VecDeque::new(),
            events: 0,
            failed: false,
        }
    }

    /// Reads on until a trace ends (its events queued) or the file does.
    fn fill(&mut self) {
        let mut trace: Option<Trace> = None;
        let mut event: Option<(u64, Vec<(String, String)>)> = None;
        // Depth inside something skipped: `<global>`, a list, a container, nested attributes.
        let mut skipped = 0_usize;
        loop {
            self.buffer.clear();
            self.reader.get_mut().left_bytes = LOG_RECORD_BYTES_MAX;
            let read = self.reader.read_event_into(&mut self.buffer);
            let position = self.reader.buffer_position();
            match read {
                Err(error) => {
                    self.failed = true;
                    let message = format!("the XML cannot be read at byte {position}: {error}");
                    self.pending.push_back(Err(UnreadableRow { row: self.events + 1, case_id: None, message }));
                    return;
                }
                Ok(Event::Eof) => {
                    self.failed = true;
                    if trace.is_some() {
                        let message = "the file ends inside a <trace>".to_owned();
                        self.pending.push_back(Err(UnreadableRow { row: self.events, case_id: None, message }));
                    }
                    return;
                }
                Ok(Event::Start(start)) => {
                    if skipped > 0 {
                        skipped += 1;
                        continue;
                    }
                    match start.local_name().into_inner() {
                        "trace" => trace = Some(Trace::default()),
                        "event" if trace.is_some() => {
                            self.events += 1;
                            event = Some((self.events, Vec::new()));
                        }
                        "global" | "list" | "container" => skipped = 1,
                        name if ATTRIBUTE_ELEMENTS.contains(&name) => {
                            Self::attribute(&start, trace.as_mut(), event.as_mut());
                            // An attribute with children (meta-attributes): skip them.
                            skipped = 1;
                        }
                        _ => {}
                    }
                }
                Ok(Event::Empty(empty)) => {
                    if skipped > 0 {
                        continue;
                    }
                    match empty.local_name().into_inner() {
                        "event" if trace.is_some() => {
                            self.events += 1;
                            if let Some(trace) = &mut trace {
                                trace.events.push((self.events, Vec::new()));
                            }
                        }
                        name if ATTRIBUTE_ELEMENTS.contains(&name) => {
                            Self::attribute(&empty, trace.as_mut(), event.as_mut());
                        }
                        _ => {}
                    }
                }
                Ok(Event::End(end)) => {
                    if skipped > 0 {
                        skipped -= 1;
                        continue;
                    }
                    match end.local_name().into_inner() {
                        "event" => {
                            if let (Some(trace), Some(done)) = (&mut trace, event.take()) {
                                trace.events.push(done);
                            }
                        }
                        "trace" => {
                            if let Some(done) = trace.take() {
                                self.queue(done);
                                return;
                            }
                        }
                        _ => {}
                    }
                }
                Ok(_) => {}
            }
        }
    }

    /// Records `key`/`value` on the event being read, else on the trace.
    fn attribute(
        element: &BytesStart<'_>,
        trace: Option<&mut Trace>,
        event: Option<&mut (u64, Vec<(String, String)>)>,
    ) {
        let mut key = None;
        let mut value = None;
        for attribute in element.attributes().flatten() {
            let text =
                attribute.normalized_value(quick_xml::XmlVersion::default()).map(std::borrow::Cow::into_owned).ok();
            match attribute.key.local_name().into_inner() {
                "key" => key = text,
                "value" => value = text,
                _ => {}
            }
        }
        let (Some(key), Some(value)) = (key, value) else { return };
        match (event, trace) {
            (Some(event), _) => event.1.push((key, value)),
            (None, Some(trace)) => trace.attributes.push((key, value)),
            (None, None) => {}
        }
    }

    fn queue(&mut self, trace: Trace) {
        let find = |pairs: &[(String, String)], names: &[String]| -> Option<String> {
            names.iter().find_map(|name| {
                pairs
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .map(|(_, value)| value.trim().to_owned())
                    .filter(|value| !self.columns.is_missing(value))
            })
        };
        let case_names: Vec<String> = self
            .columns
            .case_id
            .iter()
            .map(|name| name.strip_prefix("case:").unwrap_or(name).to_owned())
            .chain(["concept:name".to_owned()])
            .collect();
        let case_id = find(&trace.attributes, &case_names);
        let attributes_of = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .filter_map(|(key, value)| {
                    let attribute = self
                        .columns
                        .attributes
                        .iter()
                        .find(|(column, _)| column == key)
                        .map(|(_, name)| name.clone())
                        .or_else(|| self.attributes.iter().find(|name| *name == key).cloned())?;
                    Some((attribute, value.trim().to_owned())).filter(|(_, value)| !self.columns.is_missing(value))
                })
                .collect()
        };
        let case_attributes = attributes_of(&trace.attributes);
        for (row, pairs) in trace.events {
            let Some(case_id) = case_id.clone() else {
                let message = "its trace has no `concept:name` (the case id)".to_owned();
                self.pending.push_back(Err(UnreadableRow { row, case_id: None, message }));
                continue;
            };
            let activity = find(&pairs, &self.columns.activity);
            let timestamp = find(&pairs, &self.columns.timestamp);
            let (Some(activity), Some(timestamp)) = (activity, timestamp) else {
                let message = "the event has no `concept:name` or no `time:timestamp`".to_owned();
                self.pending.push_back(Err(UnreadableRow { row, case_id: Some(case_id), message }));
                continue;
            };
            let mut attributes = case_attributes.clone();
            for (name, value) in attributes_of(&pairs) {
                attributes.retain(|(existing, _)| *existing != name);
                attributes.push((name, value));
            }
            self.pending.push_back(Ok(LogEvent {
                row,
                case_id,
                activity,
                timestamp,
                role: find(&pairs, &self.columns.role),
                resource: find(&pairs, &self.columns.resource),
                workflow: find(&trace.attributes, &self.columns.workflow)
                    .or_else(|| find(&pairs, &self.columns.workflow)),
                lifecycle: find(&pairs, &self.columns.lifecycle),
                opened_at: find(&trace.attributes, &self.columns.opened_at)
                    .or_else(|| find(&pairs, &self.columns.opened_at)),
                attributes,
            }));
        }
    }
}

/// The input, failing once it has given `left_bytes` more: the reader sets it before every XML
/// event, so one element, text or comment cannot run on until memory runs out.
struct Budgeted<R> {
    input: R,
    left_bytes: usize,
}

impl<R: BufRead> Read for Budgeted<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let count = available.len().min(buffer.len());
        buffer[..count].copy_from_slice(&available[..count]);
        self.consume(count);
        Ok(count)
    }
}

impl<R: BufRead> BufRead for Budgeted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.left_bytes == 0 {
            let message = format!("an element or text is longer than the limit of {LOG_RECORD_BYTES_MAX} bytes");
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
        let available = self.input.fill_buf()?;
        Ok(&available[..available.len().min(self.left_bytes)])
    }

    fn consume(&mut self, count: usize) {
        self.left_bytes = self.left_bytes.saturating_sub(count);
        self.input.consume(count);
    }
}

impl<R: BufRead> Iterator for XesLog<R> {
    type Item = Result<LogEvent, UnreadableRow>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.pending.is_empty() && !self.failed {
            self.fill();
        }
        self.pending.pop_front()
    }
}
