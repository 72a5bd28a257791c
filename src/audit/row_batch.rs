//! `RowBatch`: a run of log rows held in one text buffer, so reading a row allocates nothing;
//! the unit a reader hands to the audit, and that the audit splits between its shards by case.
//! `RowSource` is a reader that fills batches.

use super::log_event::{LogEvent, UnreadableRow};
use super::log_row::{LogRow, RowAttributes, RowView, Span};

/// Rows of a log, in file order.
#[derive(Debug, Default)]
pub struct RowBatch {
    text: String,
    rows: Vec<BatchRow>,
    cells: Vec<(Span, Span)>,
    /// For a part made by `split`, each row's position in the batch it was split from.
    positions: Vec<u32>,
    /// Attribute names in `text`, by the reader's slot (`cell_named`): each written once.
    names: Vec<Option<Span>>,
}

#[derive(Clone, Copy, Debug)]
struct BatchRow {
    row: u64,
    case_id: Option<Span>,
    body: Body,
}

#[derive(Clone, Copy, Debug)]
enum Body {
    Event {
        activity: Span,
        timestamp: Span,
        role: Option<Span>,
        resource: Option<Span>,
        workflow: Option<Span>,
        lifecycle: Option<Span>,
        opened_at: Option<Span>,
        /// Range of `cells`.
        cells: (u32, u32),
    },
    Unreadable {
        message: Span,
    },
}

/// The readable fields of a row, as spans of the batch's text (`RowBatch::text`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RowSpans {
    pub(crate) activity: Span,
    pub(crate) timestamp: Span,
    pub(crate) role: Option<Span>,
    pub(crate) resource: Option<Span>,
    pub(crate) workflow: Option<Span>,
    pub(crate) lifecycle: Option<Span>,
    pub(crate) opened_at: Option<Span>,
}

/// Where a batch stood before a row was begun, to take the row back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark {
    text: usize,
    cells: usize,
}

/// A reader of a log that fills batches.
pub trait RowSource {
    /// Reads up to `rows_max` more rows into `batch`; reads none once the log has ended.
    fn fill(&mut self, batch: &mut RowBatch, rows_max: usize);

    /// Reads up to `rows_max` rows, each into the part of `parts` its case falls to (as
    /// `RowBatch::split` does), after clearing them; reads none once the log has ended.
    /// `staging` is a buffer the reader may use.
    fn fill_parts(&mut self, staging: &mut RowBatch, parts: &mut [RowBatch], rows_max: usize) {
        staging.clear();
        self.fill(staging, rows_max);
        staging.split(parts);
    }
}

impl<S: RowSource + ?Sized> RowSource for Box<S> {
    fn fill(&mut self, batch: &mut RowBatch, rows_max: usize) {
        (**self).fill(batch, rows_max);
    }

    fn fill_parts(&mut self, staging: &mut RowBatch, parts: &mut [RowBatch], rows_max: usize) {
        (**self).fill_parts(staging, parts, rows_max);
    }
}

/// Any reader of `LogEvent`s as a `RowSource` (its rows are copied into the batch).
pub struct EventRows<I>(pub I);

impl<I: Iterator<Item = Result<LogEvent, UnreadableRow>>> RowSource for EventRows<I> {
    fn fill(&mut self, batch: &mut RowBatch, rows_max: usize) {
        for row in self.0.by_ref().take(rows_max) {
            batch.push(&row);
        }
    }
}

impl RowBatch {
    #[must_use]
    pub fn new() -> RowBatch {
        RowBatch::default()
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
        self.cells.clear();
        self.positions.clear();
        self.names.clear();
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Appends a row read into a `LogEvent`.
    pub fn push(&mut self, row: &Result<LogEvent, UnreadableRow>) {
        self.push_view(RowView::of(row));
    }

    /// Appends a copy of a borrowed row.
    fn push_view(&mut self, row: RowView<'_>) {
        match row {
            RowView::Unreadable { row, case_id, message } => self.push_unreadable(row, case_id, message),
            RowView::Event(event) => {
                let case_id = self.text(event.case_id);
                let spans = RowSpans {
                    activity: self.text(event.activity),
                    timestamp: self.text(event.timestamp),
                    role: event.role.map(|role| self.text(role)),
                    resource: event.resource.map(|resource| self.text(resource)),
                    workflow: event.workflow.map(|workflow| self.text(workflow)),
                    lifecycle: event.lifecycle.map(|lifecycle| self.text(lifecycle)),
                    opened_at: event.opened_at.map(|opened_at| self.text(opened_at)),
                };
                let first_cell = self.cells.len();
                for (name, value) in event.attributes.iter() {
                    let cell = (self.text(name), self.text(value));
                    self.cells.push(cell);
                }
                self.push_spans(event.row, case_id, spans, first_cell);
            }
        }
    }

    pub(crate) fn mark(&self) -> Mark {
        Mark { text: self.text.len(), cells: self.cells.len() }
    }

    pub(crate) fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// Takes back the text and cells added since `mark`.
    pub(crate) fn rewind(&mut self, mark: Mark) {
        self.text.truncate(mark.text);
        self.cells.truncate(mark.cells);
        for name in &mut self.names {
            if name.is_some_and(|span| span.end as usize > mark.text) {
                *name = None;
            }
        }
    }

    /// Appends `text` to the batch's buffer.
    pub(crate) fn text(&mut self, text: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(text);
        // A batch holds a few megabytes at most; past 4 GiB spans would wrap, so stop short.
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(self.text.len()).unwrap_or(u32::MAX),
        }
    }

    /// The text of `span`, a span of this batch.
    pub(crate) fn span_text(&self, span: Span) -> &str {
        span.of(&self.text)
    }

    /// Appends an attribute cell to the row being read: attribute `name`, which a reader calls
    /// `slot` (its name is written into the text once per batch).
    pub(crate) fn cell_named(&mut self, slot: usize, name: &str, value: Span) {
        let name = match self.names.get(slot).copied().flatten() {
            Some(span) => span,
            None => {
                let span = self.text(name);
                if self.names.len() <= slot {
                    self.names.resize(slot + 1, None);
                }
                self.names[slot] = Some(span);
                span
            }
        };
        self.cells.push((name, value));
    }

    /// Ends a readable row whose cells were added from `first_cell` on.
    pub(crate) fn push_spans(&mut self, row: u64, case_id: Span, spans: RowSpans, first_cell: usize) {
        let cells =
            (u32::try_from(first_cell).unwrap_or(u32::MAX), u32::try_from(self.cells.len()).unwrap_or(u32::MAX));
        let RowSpans { activity, timestamp, role, resource, workflow, lifecycle, opened_at } = spans;
        self.rows.push(BatchRow {
            row,
            case_id: Some(case_id),
            body: Body::Event { activity, timestamp, role, resource, workflow, lifecycle, opened_at, cells },
        });
    }

    pub(crate) fn push_unreadable(&mut self, row: u64, case_id: Option<&str>, message: &str) {
        let case_id = case_id.map(|case_id| self.text(case_id));
        let message = self.text(message);
        self.rows.push(BatchRow { row, case_id, body: Body::Unreadable { message } });
    }

    /// Row `index`, borrowed.
    pub(crate) fn view(&self, index: usize) -> RowView<'_> {
        let text = self.text.as_str();
        let row = self.rows[index];
        let case_id = row.case_id.map(|span| span.of(text));
        match row.body {
            Body::Unreadable { message } => RowView::Unreadable { row: row.row, case_id, message: message.of(text) },
            Body::Event { activity, timestamp, role, resource, workflow, lifecycle, opened_at, cells } => {
                RowView::Event(LogRow {
                    row: row.row,
                    case_id: case_id.unwrap_or_default(),
                    activity: activity.of(text),
                    timestamp: timestamp.of(text),
                    role: role.map(|span| span.of(text)),
                    resource: resource.map(|span| span.of(text)),
                    workflow: workflow.map(|span| span.of(text)),
                    lifecycle: lifecycle.map(|span| span.of(text)),
                    opened_at: opened_at.map(|span| span.of(text)),
                    attributes: RowAttributes::Spans {
                        text,
                        cells: self.cells.get(cells.0 as usize..cells.1 as usize).unwrap_or_default(),
                    },
                })
            }
        }
    }

    /// Copies each row into `parts[shard]`, the shard of its case id (the same case always to
    /// the same part, whatever the batch), in file order, noting its position here: each part
    /// is then read front to back. With no parts, nothing is copied.
    pub(crate) fn split(&self, parts: &mut [RowBatch]) {
        for part in parts.iter_mut() {
            part.clear();
        }
        if parts.is_empty() {
            return;
        }
        for (position, row) in self.rows.iter().enumerate() {
            let case_id = row.case_id.map_or("", |span| span.of(&self.text));
            let part = &mut parts[shard_of(case_id, parts.len())];
            part.push_view(self.view(position));
            part.push_position(u32::try_from(position).unwrap_or(u32::MAX));
        }
    }

    /// Notes the position of the row just added in the whole batch this part belongs to.
    pub(crate) fn push_position(&mut self, position: u32) {
        self.positions.push(position);
    }

    /// Row `index`'s position in the batch this part was split from.
    pub(crate) fn position(&self, index: usize) -> u32 {
        self.positions.get(index).copied().unwrap_or(u32::MAX)
    }
}

/// The shard of a case: FNV-1a of its id, so the split is the same on every run and machine.
pub(crate) fn shard_of(case_id: &str, shards: usize) -> usize {
    let hash = case_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
    let shards = shards.max(1) as u64;
    // A mask for a power of two (the audit's 16 shards), not a division.
    let shard = if shards.is_power_of_two() { hash & (shards - 1) } else { hash % shards };
    usize::try_from(shard).unwrap_or(0)
}
