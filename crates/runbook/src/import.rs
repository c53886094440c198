//! Markdown to [`Runbook`]: pulldown-cmark gives the block structure (headings, lists, code,
//! paragraphs); the line shapes inside paragraphs are recognised by [`crate::labels`].

use std::borrow::Cow;
use std::cell::Cell;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::actions::{Action, ActionStep};
use crate::criteria::Criterion;
use crate::error::ImportError;
use crate::fences::{closes_itself, lengthen_outer_fences};
use crate::ids::{normalize, slug, ContentIds, NameIds};
use crate::labels::{classify, is_objectives, phase_heading, set_meta, task_heading, Line};
use crate::model::{
    ChecklistItem, ImportWarning, Meta, Phase, Runbook, SignoffField, Step, Task, TimedSection,
};
use crate::mojibake::repair_mac_roman;
use crate::rollout::RolloutCriteria;
use crate::split;
use crate::times::{read_heading, read_label, time_label, Timing};

/// Runbooks larger than this are refused rather than parsed.
pub const MAX_RUNBOOK_BYTES: u64 = 16 * 1024 * 1024;

/// Parses the bytes of a markdown runbook. `file` names it in errors.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Runbook, ImportError> {
    let text = check_text(file, bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (text, repaired) = repair_mac_roman(text);
    let mut text = match lengthen_outer_fences(&text) {
        Some(widened) => Cow::Owned(widened),
        None => text,
    };
    let mut warnings = Vec::new();
    loop {
        match build(file, &text) {
            Ok(runbook) => {
                let mut runbook = runbook?;
                runbook.repaired_characters = repaired;
                warnings.append(&mut runbook.warnings);
                warnings.sort_by_key(|w| w.line);
                runbook.warnings = warnings;
                return Ok(runbook);
            }
            Err(UnclosedFence { line, range }) => {
                // A fence that never closes swallows the rest of the file, usually because an
                // earlier block nested fences. Read that line as the end of the earlier block.
                warnings.push(ImportWarning {
                    line,
                    message: format!(
                        "code fence opened at line {line} is never closed; it was read as the end of \
                         an earlier code block so the rest of the runbook is not taken for code"
                    ),
                });
                let fence_end = text[range.start..]
                    .find('\n')
                    .map_or(text.len(), |n| range.start + n);
                text.to_mut().replace_range(range.start..fence_end, "");
            }
        }
    }
}

/// A fenced code block that runs to the end of the document without its closing fence.
struct UnclosedFence {
    line: u32,
    range: Range<usize>,
}

/// Builds the runbook from its parts, read side by side when it is large (see [`crate::split`]).
/// If a part turns out not to begin where the whole text would begin a phase, or to end in a
/// block that would have run on into the next part, the text is read again in one piece.
fn build(file: &str, text: &str) -> Result<Result<Runbook, ImportError>, UnclosedFence> {
    let parts = split::parts(text, split::MIN_PART_BYTES);
    if parts.len() > 1 {
        if let Some(read) = read_parts(file, &parts) {
            return Ok(finish(file, read));
        }
    }
    let whole = read_part(file, text, LineIndex::new(text, 1))?;
    Ok(finish(file, vec![whole]))
}

/// Reads every part on its own thread; `None` when the parts do not join up as the whole would.
fn read_parts(file: &str, parts: &[&str]) -> Option<Vec<PartRead>> {
    let lines: Vec<LineIndex> = std::thread::scope(|s| {
        let counting: Vec<_> = parts[1..]
            .iter()
            .map(|part| s.spawn(move || LineIndex::new(part, 0)))
            .collect();
        let mut lines = vec![LineIndex::new(parts[0], 1)];
        for handle in counting {
            lines.push(handle.join().expect("counting lines does not panic"));
        }
        lines
    });
    let mut first_line = 1;
    let lines = lines.into_iter().map(|mut index| {
        index.first_line = first_line;
        first_line += index.count() - 1;
        index
    });
    let reads: Vec<Result<PartRead, UnclosedFence>> = std::thread::scope(|s| {
        let mut jobs = parts.iter().zip(lines);
        let (first, first_lines) = jobs.next().expect("at least two parts");
        let others: Vec<_> = jobs
            .map(|(part, index)| s.spawn(move || read_part(file, part, index)))
            .collect();
        let mut reads = vec![read_part(file, first, first_lines)];
        for handle in others {
            match handle.join() {
                Ok(read) => reads.push(read),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        reads
    });
    let reads: Vec<PartRead> = reads.into_iter().collect::<Result<_, _>>().ok()?;
    let last = reads.len() - 1;
    let joined = reads
        .iter()
        .enumerate()
        .all(|(n, read)| (n == 0 || read.opens_phase) && (n == last || !read.open_at_end));
    (joined && ids_are_apart(&reads)).then_some(reads)
}

/// Whether no readable name and no content digest was handed out in two parts: the whole text
/// would have numbered the second one.
fn ids_are_apart(reads: &[PartRead]) -> bool {
    reads.iter().enumerate().all(|(n, read)| {
        let before = &reads[..n];
        read.names
            .keys()
            .all(|name| before.iter().all(|b| !b.names.contains(name)))
            && read
                .digests
                .keys()
                .all(|digest| before.iter().all(|b| !b.digests.contains(digest)))
    })
}

fn read_part(file: &str, text: &str, lines: LineIndex) -> Result<PartRead, UnclosedFence> {
    let mut builder = Builder::new(file, text, lines);
    let options =
        Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        builder.event(event, range)?;
    }
    Ok(builder.into_read())
}

fn check_text<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, ImportError> {
    let file = file.to_string();
    if bytes.len() as u64 > MAX_RUNBOOK_BYTES {
        return Err(ImportError::TooLarge {
            file,
            size: bytes.len() as u64,
            limit: MAX_RUNBOOK_BYTES,
        });
    }
    // `contains` scans a word at a time; the position is only looked for when there is one.
    if bytes.contains(&0) {
        let pos = bytes.iter().position(|b| *b == 0).expect("contains a NUL");
        let (line, column) = line_column(bytes, pos);
        return Err(ImportError::Binary { file, line, column });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        ImportError::NotUtf8 {
            file: file.clone(),
            line,
            column,
        }
    })?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty { file });
    }
    Ok(text)
}

fn line_column(bytes: &[u8], pos: usize) -> (u32, u32) {
    let before = &bytes[..pos];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    (line as u32, (pos - line_start + 1) as u32)
}

/// Where the lines of a text (or of one part of it) start, and the number of its first line.
struct LineIndex {
    starts: Vec<usize>,
    first_line: u32,
    /// The line of the last offset looked up, as an index into `starts`: the importer looks up
    /// offsets in document order, so the next one is usually a line or two further on.
    last: Cell<usize>,
}

impl LineIndex {
    fn new(text: &str, first_line: u32) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex {
            starts,
            first_line,
            last: Cell::new(0),
        }
    }

    /// Lines begun in the text, counting a last one after a final line break.
    fn count(&self) -> u32 {
        self.starts.len() as u32
    }

    fn line(&self, offset: usize) -> u32 {
        let mut at = self.last.get();
        if self.starts[at] > offset {
            at = self.starts.partition_point(|start| *start <= offset) - 1;
        } else {
            while self.starts.get(at + 1).is_some_and(|next| *next <= offset) {
                at += 1;
            }
        }
        self.last.set(at);
        self.first_line + at as u32
    }
}

/// What reading one part of a runbook gives: its phases and what must be joined with the
/// other parts' (the title, the runbook's own metadata, warnings) or checked against them.
struct PartRead {
    phases: Vec<OpenPhase>,
    titles: Vec<TitleOffer>,
    meta: Meta,
    error: Option<ImportError>,
    warnings: Vec<ImportWarning>,
    /// The part's first line is a phase heading.
    opens_phase: bool,
    /// The part ends in a block that the next part's first line could have continued.
    open_at_end: bool,
    names: NameIds,
    digests: ContentIds,
}

/// A heading that may give the runbook its title, in document order.
enum TitleOffer {
    Phase(String),
    /// A level-1 heading that is not a phase.
    Top(String),
}

/// The first phase heading titles the runbook, unless a level-1 heading came first; a level-1
/// heading replaces a title that is only a file name.
fn title_from(offers: impl IntoIterator<Item = TitleOffer>) -> Option<String> {
    let mut title: Option<String> = None;
    for offer in offers {
        match offer {
            TitleOffer::Phase(text) if title.is_none() => title = Some(text),
            TitleOffer::Top(text) if title.as_ref().is_none_or(|t| t.ends_with(".md")) => {
                title = Some(text)
            }
            _ => {}
        }
    }
    title
}

struct OpenPhase {
    phase: Phase,
    level: u32,
    numbered: bool,
}

struct ItemFrame {
    marker: Option<bool>,
    line: u32,
    /// Set once the item's own text is complete: where its checklist item is, or `Some(None)`
    /// for a plain list item.
    done: Option<Option<ItemAt>>,
}

/// A checklist item of the runbook being built: `phase` counts the phases before its own.
#[derive(Clone, Copy)]
struct ItemAt {
    phase: usize,
    index: usize,
}

struct Collector {
    text: String,
    line: u32,
    range: Range<usize>,
}

struct Builder<'a> {
    file: &'a str,
    src: &'a str,
    lines: LineIndex,
    titles: Vec<TitleOffer>,
    /// A phase heading or a level-1 heading has settled the title as far as this part goes.
    phase_offered: bool,
    top_settled: bool,
    /// The first heading's line and whether it began a phase.
    first_heading: Option<(u32, bool)>,
    /// Where the last block ended that a following line could have continued: an HTML block, a
    /// table, or a code block without its closing fence.
    open_block_end: Option<usize>,
    meta: Meta,
    phases: Vec<OpenPhase>,
    current: Option<OpenPhase>,
    phase_ids: NameIds,
    content_ids: ContentIds,
    /// Heading level and index of the open task in the current phase.
    task: Option<(u32, usize)>,
    section: Option<String>,
    /// The section heading open now and its line, for the times its labels give.
    section_heading: Option<(String, u32)>,
    /// The section's name, shared by its items, and its normalised words, worked out once.
    section_words: Option<(Arc<str>, String)>,
    /// The open task's id, shared by its items.
    task_shared: Option<Arc<str>>,
    meta_open: bool,
    last_text: Option<String>,
    heading: Option<Collector>,
    paragraph: Option<Collector>,
    code: Option<(Option<String>, Collector)>,
    items: Vec<ItemFrame>,
    /// The text of the innermost list item, while it is open. Only that item collects text: an
    /// outer item's own text is complete once a nested list starts.
    item_text: String,
    /// The first problem found in a block that must be valid (criteria).
    error: Option<ImportError>,
    /// Times that could not be read, with their lines.
    warnings: Vec<ImportWarning>,
}

impl<'a> Builder<'a> {
    fn new(file: &'a str, src: &'a str, lines: LineIndex) -> Self {
        Builder {
            file,
            src,
            lines,
            titles: Vec::new(),
            phase_offered: false,
            top_settled: false,
            first_heading: None,
            open_block_end: None,
            meta: Meta::default(),
            phases: Vec::new(),
            current: None,
            phase_ids: NameIds::default(),
            content_ids: ContentIds::default(),
            task: None,
            section: None,
            section_heading: None,
            section_words: None,
            task_shared: None,
            meta_open: true,
            last_text: None,
            heading: None,
            paragraph: None,
            code: None,
            items: Vec::new(),
            item_text: String::new(),
            error: None,
            warnings: Vec::new(),
        }
    }

    fn collector(&self, range: Range<usize>) -> Collector {
        Collector {
            text: String::new(),
            line: self.lines.line(range.start),
            range,
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) -> Result<(), UnclosedFence> {
        match event {
            Event::Start(Tag::Heading { .. }) => self.heading = Some(self.collector(range)),
            Event::End(TagEnd::Heading(level)) => {
                if let Some(h) = self.heading.take() {
                    self.on_heading(level as u32, h.text.trim(), h.line);
                }
            }
            Event::Start(Tag::Paragraph) if self.items.is_empty() => {
                self.paragraph = Some(self.collector(range))
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(p) = self.paragraph.take() {
                    self.on_paragraph(p);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_string)
                    }
                    CodeBlockKind::Indented => None,
                };
                self.code = Some((lang, self.collector(range)));
            }
            Event::End(TagEnd::CodeBlock) => {
                if !closes_itself(&self.src[range.clone()]) {
                    self.open_block_end = Some(range.end);
                }
                if let Some((lang, c)) = self.code.take() {
                    self.on_code(lang, c)?;
                }
            }
            Event::Start(Tag::List(_)) => self.finish_top_item(),
            Event::Start(Tag::Item) => {
                let line = self.lines.line(range.start);
                self.item_text.clear();
                self.items.push(ItemFrame {
                    marker: None,
                    line,
                    done: None,
                });
            }
            Event::End(TagEnd::Item) => {
                self.finish_top_item();
                self.items.pop();
            }
            Event::End(TagEnd::HtmlBlock | TagEnd::Table) => self.open_block_end = Some(range.end),
            Event::TaskListMarker(checked) => {
                if let Some(top) = self.items.last_mut() {
                    top.marker = Some(checked);
                }
            }
            Event::Text(t) | Event::Code(t) => self.push_text(&t),
            Event::SoftBreak | Event::HardBreak => self.push_text(" "),
            _ => {}
        }
        Ok(())
    }

    fn push_text(&mut self, text: &str) {
        if let Some((_, c)) = self.code.as_mut() {
            c.text.push_str(text);
        } else if let Some(h) = self.heading.as_mut() {
            h.text.push_str(text);
        } else if let Some(top) = self.items.last() {
            if top.done.is_none() {
                self.item_text.push_str(text);
            }
        } else if let Some(p) = self.paragraph.as_mut() {
            p.text.push_str(text);
        }
    }

    fn on_heading(&mut self, level: u32, text: &str, line: u32) {
        self.last_text = None;
        let heading = read_heading(text, line);
        self.warnings.extend(heading.warnings);
        let (text, timing) = (heading.title.as_str(), heading.timing);
        let phase = phase_heading(text);
        self.first_heading.get_or_insert((line, phase.is_some()));
        if let Some((kind, number)) = phase {
            if !self.phase_offered && !self.top_settled {
                self.phase_offered = true;
                self.titles.push(TitleOffer::Phase(text.to_string()));
            }
            let key = format!("{kind}-{number}");
            self.start_phase(text, Some(number), key, level, line, timing);
            return;
        }
        if let Some(level_of_phase) = self.current.as_ref().map(|c| c.level) {
            if level > level_of_phase {
                if let Some((kind, number)) = task_heading(text) {
                    self.start_task(text, kind, number, level, line, timing);
                    return;
                }
                if self.task.is_some_and(|(task_level, _)| level <= task_level) {
                    self.task = None;
                }
                self.section = Some(text.to_string());
                self.section_heading = Some((text.to_string(), line));
                if !timing.is_empty() {
                    *self.section_timing(text, line) = timing;
                }
                self.meta_open = false;
                return;
            }
        }
        self.close_phase();
        if level == 1 {
            if !self.top_settled {
                self.top_settled = !text.ends_with(".md");
                self.titles.push(TitleOffer::Top(text.to_string()));
            }
            return;
        }
        self.start_phase(text, None, slug(text), level, line, timing);
    }

    /// The timing of the section heading `title` of the open phase, added on first use.
    fn section_timing(&mut self, title: &str, line: u32) -> &mut Timing {
        let phase_id = self.phase().id.clone();
        let phase = self.phase();
        let index = match phase.sections.iter().position(|s| s.line == line) {
            Some(index) => index,
            None => {
                let id = self.content_ids.hashed('t', &[&phase_id], title);
                let phase = self.phase();
                phase.sections.push(TimedSection {
                    id,
                    title: title.to_string(),
                    line,
                    timing: Timing::default(),
                });
                phase.sections.len() - 1
            }
        };
        &mut self.phase().sections[index].timing
    }

    /// Reads a `**Duration**:` or `**Time**:` label into the section, task or phase it is in.
    fn on_time_label(&mut self, label: &str, value: &str, line: u32) {
        let Some(kind) = time_label(label) else {
            return;
        };
        let timing = match (self.meta_open, self.section_heading.clone()) {
            (false, Some((title, heading_line))) => self.section_timing(&title, heading_line),
            _ => match (self.task, self.current.as_mut()) {
                (Some((_, index)), Some(open)) => &mut open.phase.tasks[index].timing,
                (None, Some(open)) => &mut open.phase.timing,
                (_, None) => return,
            },
        };
        if let Some(warning) = read_label(kind, value, line, timing) {
            self.warnings.push(warning);
        }
    }

    fn start_phase(
        &mut self,
        title: &str,
        number: Option<String>,
        key: String,
        level: u32,
        line: u32,
        timing: Timing,
    ) {
        self.close_phase();
        let numbered = number.is_some();
        self.current = Some(OpenPhase {
            phase: Phase {
                id: self.phase_ids.unique(key),
                number,
                title: title.to_string(),
                line,
                meta: Meta::default(),
                depends_on: Vec::new(),
                signoff_roles: Vec::new(),
                objectives: Vec::new(),
                items: Vec::new(),
                tasks: Vec::new(),
                steps: Vec::new(),
                signoff: Vec::new(),
                criteria: Vec::new(),
                soak: None,
                actions: Vec::new(),
                timing,
                sections: Vec::new(),
            },
            level,
            numbered,
        });
        self.task = None;
        self.section = None;
        self.section_heading = None;
        self.meta_open = true;
    }

    fn start_task(
        &mut self,
        title: &str,
        kind: String,
        number: String,
        level: u32,
        line: u32,
        timing: Timing,
    ) {
        let phase = &mut self
            .current
            .as_mut()
            .expect("tasks start inside a phase")
            .phase;
        let id = self
            .phase_ids
            .unique(format!("{}/{kind}-{}", phase.id, number.replace('.', "-")));
        phase.tasks.push(Task {
            id,
            number: Some(number),
            title: title.to_string(),
            line,
            meta: Meta::default(),
            steps: Vec::new(),
            timing,
        });
        self.task = Some((level, phase.tasks.len() - 1));
        self.section = None;
        self.section_heading = None;
        self.meta_open = true;
    }

    fn close_phase(&mut self) {
        if let Some(open) = self.current.take() {
            self.phases.push(open);
        }
        self.task = None;
        self.section = None;
        self.section_heading = None;
    }

    /// The open phase, or an "Overview" phase for content that comes before any heading.
    fn phase(&mut self) -> &mut Phase {
        if self.current.is_none() {
            self.start_phase(
                "Overview",
                None,
                "overview".to_string(),
                7,
                1,
                Timing::default(),
            );
        }
        &mut self.current.as_mut().expect("just opened").phase
    }

    fn task_id(&self) -> Option<String> {
        let (_, index) = self.task?;
        Some(self.current.as_ref()?.phase.tasks[index].id.clone())
    }

    fn meta_target(&mut self) -> &mut Meta {
        match (self.task, self.current.as_mut()) {
            (Some((_, index)), Some(open)) => &mut open.phase.tasks[index].meta,
            (None, Some(open)) => &mut open.phase.meta,
            (_, None) => &mut self.meta,
        }
    }

    fn on_paragraph(&mut self, p: Collector) {
        let raw = &self.src[p.range.clone()];
        let mut label_seen = None;
        let mut prose = false;
        for (offset, raw_line) in raw.lines().enumerate() {
            let line = raw_line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
            match classify(line) {
                Line::SectionLabel(label) => {
                    self.section = Some(label.clone());
                    self.meta_open = false;
                    label_seen = Some(label);
                }
                Line::LabelValue(label, value) if self.meta_open => {
                    set_meta(self.meta_target(), &label, &value, p.line + offset as u32);
                    self.on_time_label(&label, &value, p.line + offset as u32);
                }
                Line::LabelValue(label, value) if time_label(&label).is_some() => {
                    self.on_time_label(&label, &value, p.line + offset as u32);
                }
                Line::Signoff(label, kind) => {
                    let phase_id = self.phase().id.clone();
                    let id = self.content_ids.hashed('s', &[&phase_id], &label);
                    self.phase().signoff.push(SignoffField {
                        id,
                        label,
                        kind,
                        line: p.line + offset as u32,
                    });
                }
                Line::LabelValue(..) | Line::Other => prose = true,
            }
        }
        if label_seen.is_some() || prose {
            self.last_text = label_seen.or_else(|| Some(p.text.trim().to_string()));
        }
    }

    fn on_code(&mut self, lang: Option<String>, c: Collector) -> Result<(), UnclosedFence> {
        let raw = &self.src[c.range.clone()];
        let fence = raw.trim_start();
        if fence.starts_with("```") || fence.starts_with("~~~") {
            let marker = &fence[..3];
            let closed = raw.trim_end().lines().count() > 1
                && raw
                    .trim_end()
                    .lines()
                    .last()
                    .is_some_and(|l| l.trim_start().starts_with(marker));
            if !closed && c.range.end >= self.src.trim_end().len() {
                return Err(UnclosedFence {
                    line: c.line,
                    range: c.range,
                });
            }
        }
        self.meta_open = false;
        if lang.as_deref() == Some("flightdeck-criteria") {
            self.add_criteria(&c.text, c.line);
            return Ok(());
        }
        if lang.as_deref() == Some("flightdeck") {
            self.add_actions(&c.text, c.line);
            return Ok(());
        }
        let title = self.last_text.take().filter(|t| !t.is_empty());
        let task_id = self.task_id();
        let phase_id = self.phase().id.clone();
        let id =
            self.content_ids
                .hashed('c', &[&phase_id, task_id.as_deref().unwrap_or("")], &c.text);
        let step = Step {
            id,
            title,
            lang,
            code: c.text,
            line: c.line,
        };
        match (self.task, self.current.as_mut()) {
            (Some((_, index)), Some(open)) => open.phase.tasks[index].steps.push(step),
            (_, Some(open)) => open.phase.steps.push(step),
            (_, None) => unreachable!("phase() opened one"),
        }
        Ok(())
    }

    /// Parses an action block into the open phase (and task); the first error is kept for
    /// `finish`.
    fn add_actions(&mut self, code: &str, line: u32) {
        let title = self.last_text.take().filter(|t| !t.is_empty());
        let task = self.task_id();
        let phase = self.phase().id.clone();
        match crate::actions::parse_action_block(code, line) {
            Ok(parsed) => {
                for mut a in parsed {
                    if let Action::Rollout(rollout) = &mut a.action {
                        if let RolloutCriteria::Inline { criteria } = &mut rollout.criteria {
                            for c in criteria {
                                c.phase = phase.clone();
                                c.line = a.line;
                            }
                        }
                    }
                    let step = ActionStep {
                        id: a.id,
                        phase: phase.clone(),
                        task: task.clone(),
                        title: a.title.or_else(|| title.clone()),
                        line: a.line,
                        action: a.action,
                        rollback_roles: a.rollback_roles,
                    };
                    self.phase().actions.push(step);
                }
            }
            Err(crate::actions::ActionBlockError { line, reason }) => {
                self.error.get_or_insert(ImportError::BadAction {
                    file: self.file.to_string(),
                    line,
                    reason,
                });
            }
        }
    }

    /// Parses a criteria block into the open phase; the first error is kept for `finish`.
    fn add_criteria(&mut self, code: &str, line: u32) {
        let phase_id = self.phase().id.clone();
        match crate::criteria::parse_block(code, &phase_id, line) {
            Ok(crate::criteria::ParsedBlock { criteria, soak }) => {
                if let Some(soak) = soak {
                    self.phase().soak = Some(soak);
                }
                for crate::criteria::Parsed { name, line, kind } in criteria {
                    let id = self.content_ids.hashed('g', &[&phase_id], &name);
                    let criterion = Criterion {
                        id,
                        name,
                        phase: phase_id.clone(),
                        line,
                        kind,
                    };
                    self.phase().criteria.push(criterion);
                }
            }
            Err(crate::criteria::BlockError { line, reason }) => {
                self.error.get_or_insert(ImportError::BadCriteria {
                    file: self.file.to_string(),
                    line,
                    reason,
                });
            }
        }
    }

    /// Completes the innermost list item's own text (before a nested list or at its end).
    fn finish_top_item(&mut self) {
        let Some(top) = self.items.last() else { return };
        if top.done.is_some() {
            return;
        }
        let text = single_spaced(&self.item_text);
        self.item_text.clear();
        let (marker, line) = (top.marker, top.line);
        let ancestors = &self.items[..self.items.len() - 1];
        let parent = ancestors.iter().rev().find_map(|f| f.done.flatten());
        let depth = ancestors
            .iter()
            .filter(|f| matches!(f.done, Some(Some(_))))
            .count() as u32;
        let done = match marker {
            Some(checked) => Some(self.add_item(text, checked, parent, depth, line)),
            None => {
                if depth == 0
                    && self.items.len() == 1
                    && self.section.as_deref().is_some_and(is_objectives)
                {
                    self.phase().objectives.push(text.clone());
                }
                self.last_text = Some(text);
                None
            }
        };
        if let Some(top) = self.items.last_mut() {
            top.done = Some(done);
        }
    }

    /// The checklist item at `at`, in a closed phase or the open one.
    fn item(&self, at: ItemAt) -> &ChecklistItem {
        let phase = match self.phases.get(at.phase) {
            Some(closed) => &closed.phase,
            None => {
                &self
                    .current
                    .as_ref()
                    .expect("items are added to a phase")
                    .phase
            }
        };
        &phase.items[at.index]
    }

    /// Adds a checklist item to the open phase, nested under `parent`, and says where it is.
    fn add_item(
        &mut self,
        text: String,
        checked: bool,
        parent: Option<ItemAt>,
        depth: u32,
        line: u32,
    ) -> ItemAt {
        self.phase();
        let parent = parent.map(|at| self.item(at).id);
        let at_phase = self.phases.len();
        let Some(open) = self.current.as_mut() else {
            unreachable!("phase() opened one")
        };
        let phase = &mut open.phase;
        let task = self.task.map(|(_, index)| {
            let id = phase.tasks[index].id.as_str();
            match &self.task_shared {
                Some(shared) if &**shared == id => shared.clone(),
                _ => self.task_shared.insert(Arc::from(id)).clone(),
            }
        });
        let name = self.section.as_deref().unwrap_or("");
        let (shared, section_words) = match &self.section_words {
            Some((known, words)) if &**known == name => (known, words),
            _ => {
                let (known, words) = self
                    .section_words
                    .insert((Arc::from(name), normalize(name)));
                (&*known, &*words)
            }
        };
        let section = self.section.as_ref().map(|_| shared.clone());
        let id = self.content_ids.item(
            'i',
            &[&phase.id, task.as_deref().unwrap_or(""), section_words],
            &text,
        );
        phase.items.push(ChecklistItem {
            id,
            text,
            checked,
            section,
            task,
            parent,
            depth,
            line,
        });
        ItemAt {
            phase: at_phase,
            index: phase.items.len() - 1,
        }
    }

    fn into_read(mut self) -> PartRead {
        self.close_phase();
        let end = self.src.trim_end().len();
        PartRead {
            phases: self.phases,
            titles: self.titles,
            meta: self.meta,
            error: self.error,
            warnings: self.warnings,
            opens_phase: self.first_heading == Some((self.lines.first_line, true)),
            open_at_end: self.open_block_end.is_some_and(|at| at >= end),
            names: self.phase_ids,
            digests: self.content_ids,
        }
    }
}

/// The words of `text` joined by single spaces. Most item text has that shape already, which
/// one pass over its bytes confirms; only other text is split into words.
fn single_spaced(text: &str) -> String {
    let mut previous = b' ';
    let shaped = text.bytes().all(|b| {
        let kept = b.is_ascii_graphic() || (b == b' ' && previous != b' ');
        previous = b;
        kept
    }) && previous != b' ';
    if shaped {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Joins the parts' reads into the runbook, and links its phases and times.
fn finish(file: &str, reads: Vec<PartRead>) -> Result<Runbook, ImportError> {
    let mut titles = Vec::new();
    let mut meta = Meta::default();
    let mut warnings = Vec::new();
    let mut phases = Vec::new();
    for read in reads {
        if let Some(error) = read.error {
            return Err(error);
        }
        titles.extend(read.titles);
        meta.overwrite_with(read.meta);
        warnings.extend(read.warnings);
        phases.extend(read.phases.into_iter().filter_map(|o| {
            let p = &o.phase;
            let kept = o.numbered
                || !p.items.is_empty()
                || !p.tasks.is_empty()
                || !p.steps.is_empty()
                || !p.signoff.is_empty()
                || !p.criteria.is_empty();
            kept.then_some(o.phase)
        }));
    }
    let has_work = phases
        .iter()
        .any(|p| !p.items.is_empty() || !p.tasks.is_empty() || p.number.is_some());
    if !has_work {
        return Err(ImportError::NothingToImport {
            file: file.to_string(),
        });
    }
    crate::gates::link_phases(file, &mut phases)?;
    crate::time_links::link_times(&mut phases, &mut warnings);
    let title = title_from(titles).unwrap_or_else(|| phases[0].title.clone());
    Ok(Runbook {
        title,
        meta,
        phases,
        repaired_characters: 0,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn whole(text: &str) -> Option<Result<Runbook, ImportError>> {
        let read = read_part("t.md", text, LineIndex::new(text, 1)).ok()?;
        Some(finish("t.md", vec![read]))
    }

    /// The runbook read in up to `count` parts, or `None` where the parts do not join up.
    fn in_parts(text: &str, count: usize) -> Option<Result<Runbook, ImportError>> {
        let parts = split::cut(text, count, 1);
        assert_eq!(parts.concat(), text);
        read_parts("t.md", &parts).map(|reads| finish("t.md", reads))
    }

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    proptest! {
        #[test]
        fn single_spaced_text_is_its_words_joined_by_one_space(
            text in "[ a-z*\t\n\x0b\x0c\r\u{a0}\u{85}\u{2003}\u{1}\u{7f}É]{0,30}"
        ) {
            let words: Vec<&str> = text.split_whitespace().collect();
            prop_assert_eq!(single_spaced(&text), words.join(" "));
        }
    }

    #[test]
    fn a_large_runbook_read_in_parts_is_the_runbook_read_whole() {
        let text = crate::synthetic_runbook(600 * 1024);
        for count in [2, 3, 7] {
            let parts = in_parts(&text, count).expect("the generated runbook cuts cleanly");
            assert_eq!(parts, whole(&text).unwrap(), "{count} parts");
        }
    }

    #[test]
    fn the_fixtures_read_in_parts_are_the_fixtures_read_whole() {
        for name in ["multi.md", "cutover.md", "code-lists.md"] {
            let text = fixture(name);
            for count in [2, 4, 9] {
                if let Some(parts) = in_parts(&text, count) {
                    assert_eq!(parts, whole(&text).unwrap(), "{name} in {count} parts");
                }
            }
        }
        assert!(in_parts(&fixture("multi.md"), 4).is_some());
    }

    #[test]
    fn parts_that_would_run_on_are_read_whole() {
        let in_code =
            "## Phase 1: A\n\n- [ ] a\n\n```text\n## Phase 2: not a phase\n- [ ] b\n```\n";
        let in_html = "## Phase 1: A\n\n- [ ] a\n\n<div>\n## Phase 2: inside the div\n- [ ] b\n";
        let in_table = "## Phase 1: A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n## Phase 2: B\n- [ ] b\n";
        for text in [in_code, in_html, in_table] {
            assert_eq!(split::cut(text, 2, 1).len(), 2, "{text}");
            assert!(in_parts(text, 2).is_none(), "{text}");
        }
    }

    #[test]
    fn repeated_phase_numbers_in_two_parts_are_read_whole() {
        let text = "## Phase 1: A\n\n- [ ] a\n\n## Phase 1: A again\n\n- [ ] a\n";
        assert_eq!(split::cut(text, 2, 1).len(), 2);
        assert!(in_parts(text, 2).is_none());
        assert_eq!(whole(text).unwrap().unwrap().phases[1].id, "phase-1-2");
    }

    /// Runbook lines, phase headings most often so that most texts can be cut; code, HTML and
    /// tables now and then, which may run on across a cut.
    fn fragment() -> impl Strategy<Value = String> {
        let line = |text: &'static str| Just(text.to_string());
        prop_oneof![
            16 => (1u32..400).prop_map(|n| format!("## Phase {n}: A\n")),
            4 => (1u32..400).prop_map(|n| format!("### Batch {n}: B (09:00-10:00)\n")),
            2 => line("## Phase 1: A\n"),
            1 => line("# Runbook.md\n"),
            1 => line("# Go-Live Runbook\n"),
            2 => line("## Overview\n"),
            3 => line("### Task 1.1: B\n"),
            3 => line("### Verification\n"),
            6 => line("- [ ] item\n"),
            4 => line("  - [x] nested\n"),
            2 => line("- plain\n"),
            1 => line("> - [ ] quoted\n"),
            1 => line("```bash\n"),
            1 => line("```\n"),
            1 => line("<div>\n"),
            1 => line("| a | b |\n|---|---|\n"),
            2 => line("**Duration**: 1h\n"),
            2 => line("**Depends On**: Phase 1\n"),
            2 => line("**Status**: GO\n"),
            2 => line("**Ready**: [ ] YES [ ] NO\n"),
            2 => line("**Verification**:\n"),
            1 => line("```flightdeck-criteria\nerror_rate < 0.1%\n```\n"),
            6 => line("\n"),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_runbook_read_in_parts_is_the_runbook_read_whole(
            parts in proptest::collection::vec(fragment(), 0..80),
            count in 2usize..6,
        ) {
            let text = parts.concat();
            if let Some(in_parts) = in_parts(&text, count) {
                prop_assert_eq!(Some(in_parts), whole(&text));
            }
        }
    }
}
