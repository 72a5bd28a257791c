//! Supervision statistics (电子监察 考核): per organ, role or handler and per month or quarter of
//! a year, the cases handled, the clocks finished and the share finished within the statutory
//! and the promised limit, the yellow and red cards issued, and the median working days a clock
//! ran; beside them, per clock, the same figures. Every figure is read from the cases' histories
//! folded by the core and from the warnings on record; nothing here judges time on its own.
//!
//! Who answers for a clock (its *holder*): once it stopped, the actor and role of the event that
//! stopped it (for a `done`, the action that led to it), and that actor's organ; while it runs,
//! the roles the case waits on ([`waiting_on`]), and the keys granted them. A card counts for the
//! holder of its clock. An actor's organ is that of the API key with its name (the live key,
//! else the last one revoked); an actor with no such key has none.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};

use super::engine::{CaseView, Engine};
use super::engine_error::EngineError;
use super::principal::Principal;
use super::warnings::{Warning, WarningKind, WarningQuery};
use crate::core::calendar::PeriodUnit;
use crate::core::case::{ClockStatus, LedgerKind, Level, Timing, waiting_on};
use crate::store::Store;

/// The length of the periods figures are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grain {
    Month,
    Quarter,
}

impl Grain {
    pub fn name(self) -> &'static str {
        match self {
            Grain::Month => "month",
            Grain::Quarter => "quarter",
        }
    }

    pub fn parse(name: &str) -> Option<Grain> {
        [Grain::Month, Grain::Quarter].into_iter().find(|grain| grain.name() == name)
    }

    /// The period `date` falls in: `2017-10` or `2017-Q4`.
    pub fn period_of(self, date: NaiveDate) -> String {
        match self {
            Grain::Month => format!("{}-{:02}", date.year(), date.month()),
            Grain::Quarter => format!("{}-Q{}", date.year(), date.month0() / 3 + 1),
        }
    }

    /// Every period of `year`, in order.
    pub fn periods(self, year: i32) -> Vec<String> {
        match self {
            Grain::Month => (1..=12).map(|month| format!("{year}-{month:02}")).collect(),
            Grain::Quarter => (1..=4).map(|quarter| format!("{year}-Q{quarter}")).collect(),
        }
    }
}

/// What the figures are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// The organ (承办机关) of the acting key.
    Organ,
    /// The role acted in, as the workflow names it.
    Role,
    /// The actor (承办人).
    Handler,
}

impl Grouping {
    pub fn name(self) -> &'static str {
        match self {
            Grouping::Organ => "organ",
            Grouping::Role => "role",
            Grouping::Handler => "handler",
        }
    }

    pub fn parse(name: &str) -> Option<Grouping> {
        [Grouping::Organ, Grouping::Role, Grouping::Handler].into_iter().find(|grouping| grouping.name() == name)
    }
}

/// Which statistics to count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisionQuery {
    pub year: i32,
    pub grain: Grain,
    pub grouping: Grouping,
    /// One workflow's cases only.
    pub workflow: Option<String>,
    /// The date open clocks are counted to (today).
    pub as_of: NaiveDate,
}

/// The figures of one group in one period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupFigures {
    pub period: String,
    /// The organ, role or handler; `None` when none is recorded (an actor with no organ, a
    /// running clock no key may act on).
    pub group: Option<String>,
    /// Cases with an event by the group dated in the period.
    pub cases_handled: u64,
    /// The clocks the group stopped in the period, and the cards on the clocks it holds.
    pub timeliness: Timeliness,
    /// The median working days of the finished clocks counted in working days.
    pub median_working_days: Option<f64>,
}

/// Clocks finished in a period and how many within each limit, and the cards dated in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeliness {
    /// Clocks stopped in the period.
    pub finished: u64,
    /// Of those, stopped within the statutory limit.
    pub statutory_on_time: u64,
    /// Of those, the ones with a promised limit, and those within it.
    pub promised_judged: u64,
    pub promised_on_time: u64,
    pub yellow_cards: u64,
    pub red_cards: u64,
}

/// The figures of one clock of one workflow in one period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClockFigures {
    pub period: String,
    pub workflow: String,
    pub clock: String,
    pub title: Option<String>,
    /// The unit elapsed time is counted in (`wd` or `cd`).
    pub unit: &'static str,
    pub timeliness: Timeliness,
    pub median_elapsed: Option<f64>,
    pub max_elapsed: Option<i64>,
}

/// Supervision statistics for one year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Supervision {
    /// By period, then group (`None` last); a group appears in a period where it has a figure.
    pub groups: Vec<GroupFigures>,
    /// By period, workflow and clock; a clock appears in a period where it has a figure.
    pub clocks: Vec<ClockFigures>,
    /// The cases counted: those of the workflows the principal may read with an event, a
    /// clock's stop or a card in the year.
    pub cases_counted: u64,
}

/// Who answers for a clock.
enum Holder {
    /// The actor and role of the event that stopped it.
    Stopped { actor: String, role: Option<String> },
    /// Running or paused: the roles the case waits on.
    Desk { roles: Vec<String> },
}

/// A finished clock's figures.
struct Finish {
    statutory_on_time: bool,
    /// `None` without a promised limit.
    promised_on_time: Option<bool>,
    elapsed: i64,
    unit: PeriodUnit,
}

/// A live key granted a role: its name and organ.
type Holding = (String, Option<String>);

/// The keys' names, organs and grants, to say who holds what.
struct KeyBook {
    organ_of: HashMap<String, String>,
    /// Per workflow and role, the live keys granted it.
    granted: HashMap<(String, String), Vec<Holding>>,
}

impl KeyBook {
    fn of(keys: &[super::key_request::ApiKey]) -> KeyBook {
        let mut organ_of = HashMap::new();
        // The last revoked first, so a live key's organ wins.
        let mut ordered: Vec<&super::key_request::ApiKey> = keys.iter().collect();
        ordered.sort_by(|left, right| {
            (!left.is_revoked(), &left.revoked_at, &left.created_at).cmp(&(
                !right.is_revoked(),
                &right.revoked_at,
                &right.created_at,
            ))
        });
        let mut granted: HashMap<(String, String), Vec<Holding>> = HashMap::new();
        for key in ordered {
            match &key.organ {
                Some(organ) => organ_of.insert(key.name.clone(), organ.clone()),
                None => organ_of.remove(&key.name),
            };
            if key.is_revoked() || key.supervisor {
                continue;
            }
            for grant in &key.grants {
                for role in &grant.roles {
                    granted
                        .entry((grant.workflow.clone(), role.clone()))
                        .or_default()
                        .push((key.name.clone(), key.organ.clone()));
                }
            }
        }
        KeyBook { organ_of, granted }
    }

    /// The groups a holder counts in.
    fn groups(&self, workflow: &str, holder: &Holder, grouping: Grouping) -> BTreeSet<Option<String>> {
        let mut groups = BTreeSet::new();
        match holder {
            // An opening records no role: it counts for no role.
            Holder::Stopped { role: None, .. } if grouping == Grouping::Role => {}
            Holder::Stopped { actor, role } => {
                groups.insert(match grouping {
                    Grouping::Organ => self.organ_of.get(actor).cloned(),
                    Grouping::Role => role.clone(),
                    Grouping::Handler => Some(actor.clone()),
                });
            }
            Holder::Desk { roles } => {
                for role in roles {
                    let keys = self.granted.get(&(workflow.to_owned(), role.clone()));
                    match grouping {
                        Grouping::Role => {
                            groups.insert(Some(role.clone()));
                        }
                        Grouping::Organ => groups.extend(keys.into_iter().flatten().map(|(_, organ)| organ.clone())),
                        Grouping::Handler => {
                            groups.extend(keys.into_iter().flatten().map(|(name, _)| Some(name.clone())));
                        }
                    }
                }
                if groups.is_empty() {
                    groups.insert(None);
                }
            }
        }
        groups
    }
}

/// The running sums of one group or clock in one period.
#[derive(Default)]
struct Sums {
    cases: BTreeSet<usize>,
    timeliness: Timeliness,
    /// Elapsed times counted (working days only, for a group).
    elapsed: Vec<i64>,
    unit: Option<PeriodUnit>,
}

impl Sums {
    fn finish(&mut self, finish: &Finish, working_days_only: bool) {
        let counted = &mut self.timeliness;
        counted.finished += 1;
        counted.statutory_on_time += u64::from(finish.statutory_on_time);
        if let Some(on_time) = finish.promised_on_time {
            counted.promised_judged += 1;
            counted.promised_on_time += u64::from(on_time);
        }
        if !working_days_only || finish.unit == PeriodUnit::WorkingDays {
            self.elapsed.push(finish.elapsed);
        }
        self.unit = Some(finish.unit);
    }

    fn card(&mut self, kind: WarningKind) {
        match kind {
            WarningKind::Yellow => self.timeliness.yellow_cards += 1,
            WarningKind::Red => self.timeliness.red_cards += 1,
            WarningKind::Prompt => {}
        }
    }

    fn median(&mut self) -> Option<f64> {
        self.elapsed.sort_unstable();
        let count = self.elapsed.len();
        #[allow(clippy::cast_precision_loss)] // day counts are far below 2^52
        match count {
            0 => None,
            _ if count % 2 == 1 => Some(self.elapsed[count / 2] as f64),
            _ => Some((self.elapsed[count / 2 - 1] + self.elapsed[count / 2]) as f64 / 2.0),
        }
    }
}

/// The statistics as they are counted, case by case.
struct Tally<'a> {
    query: &'a SupervisionQuery,
    keys: KeyBook,
    groups: BTreeMap<(String, Option<String>), Sums>,
    clocks: BTreeMap<(String, String, String), (Option<String>, Sums)>,
    /// Cases folded so far, and those with something in the year.
    cases: usize,
    counted: u64,
}

impl Tally<'_> {
    fn in_year(&self, date: NaiveDate) -> Option<String> {
        (date.year() == self.query.year).then(|| self.query.grain.period_of(date))
    }

    /// Counts one case: its events, its clocks and the cards on them.
    fn add(&mut self, view: &CaseView, timing: &Timing, zone_dates: &[NaiveDate], cards: &[&Warning]) {
        let case = self.cases;
        self.cases += 1;
        let mut counted = false;
        let workflow = &view.workflow;
        let grouping = self.query.grouping;
        for (event, date) in view.events.iter().zip(zone_dates) {
            let (Some(actor), Some(period)) = (&event.actor, self.in_year(*date)) else { continue };
            let holder =
                Holder::Stopped { actor: actor.clone(), role: event.role.map(|role| workflow.role(role).name.clone()) };
            counted = true;
            for group in self.keys.groups(workflow.id(), &holder, grouping) {
                self.groups.entry((period.clone(), group)).or_default().cases.insert(case);
            }
        }
        let desk = waiting_on(workflow, view.replay.configuration().leaves());
        let mut holders: HashMap<String, Holder> = HashMap::new();
        for clock in &timing.clocks {
            let declared = workflow.clock(clock.clock);
            // `Breached` is also a clock still open past its limit: the stop date decides.
            let holder = match (clock.status, clock.stopped_on) {
                (ClockStatus::NotStarted, _) => continue,
                (_, None) => Holder::Desk { roles: desk.clone() },
                (_, Some(stopped_on)) => {
                    let stop = clock.ledger.iter().rev().find(|entry| entry.kind == LedgerKind::Stopped);
                    // A `done` has no actor: the action that led to it answers.
                    let by = stop.and_then(|entry| {
                        view.events[..=entry.event.min(view.events.len().saturating_sub(1))]
                            .iter()
                            .rev()
                            .find(|event| event.actor.is_some())
                    });
                    let holder = Holder::Stopped {
                        actor: by.and_then(|event| event.actor.clone()).unwrap_or_default(),
                        role: by.and_then(|event| event.role).map(|role| workflow.role(role).name.clone()),
                    };
                    if let Some(statutory) = &clock.statutory
                        && let Some(period) = self.in_year(stopped_on)
                    {
                        counted = true;
                        let finish = Finish {
                            statutory_on_time: statutory.level != Level::Red,
                            promised_on_time: clock.promised.as_ref().map(|promised| promised.level != Level::Red),
                            elapsed: clock.elapsed,
                            unit: clock.count_unit,
                        };
                        for group in self.keys.groups(workflow.id(), &holder, grouping) {
                            self.groups.entry((period.clone(), group)).or_default().finish(&finish, true);
                        }
                        self.clocks
                            .entry((period, workflow.id().to_owned(), declared.name.clone()))
                            .or_insert_with(|| (declared.title.clone(), Sums::default()))
                            .1
                            .finish(&finish, false);
                    }
                    holder
                }
            };
            holders.insert(declared.name.clone(), holder);
        }
        for card in cards {
            let Some(period) = self.in_year(card.applies_on) else { continue };
            counted = true;
            let title = workflow.clock_named(&card.clock).and_then(|id| workflow.clock(id).title.clone());
            self.clocks
                .entry((period.clone(), workflow.id().to_owned(), card.clock.clone()))
                .or_insert_with(|| (title, Sums::default()))
                .1
                .card(card.kind);
            let desk_now = Holder::Desk { roles: desk.clone() };
            let holder = holders.get(&card.clock).unwrap_or(&desk_now);
            for group in self.keys.groups(workflow.id(), holder, grouping) {
                self.groups.entry((period.clone(), group)).or_default().card(card.kind);
            }
        }
        self.counted += u64::from(counted);
    }

    fn finish(self) -> Supervision {
        let periods = self.query.grain.periods(self.query.year);
        let rank = |period: &String| periods.iter().position(|known| known == period).unwrap_or(usize::MAX);
        let mut groups: Vec<GroupFigures> = self
            .groups
            .into_iter()
            .map(|((period, group), mut sums)| GroupFigures {
                median_working_days: sums.median(),
                period,
                group,
                cases_handled: sums.cases.len() as u64,
                timeliness: sums.timeliness,
            })
            .collect();
        groups.sort_by(|left, right| {
            (rank(&left.period), left.group.is_none(), &left.group).cmp(&(
                rank(&right.period),
                right.group.is_none(),
                &right.group,
            ))
        });
        let mut clocks: Vec<ClockFigures> = self
            .clocks
            .into_iter()
            .map(|((period, workflow, clock), (title, mut sums))| ClockFigures {
                median_elapsed: sums.median(),
                max_elapsed: sums.elapsed.iter().copied().max(),
                unit: sums.unit.map_or("wd", PeriodUnit::symbol),
                period,
                workflow,
                clock,
                title,
                timeliness: sums.timeliness,
            })
            .collect();
        clocks.sort_by_key(|figures| rank(&figures.period));
        Supervision { groups, clocks, cases_counted: self.counted }
    }
}

impl<S: Store> Engine<S> {
    /// Supervision statistics for a year, over the cases of the workflows `principal` may
    /// read, read from one snapshot of the store.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`], a history that no longer folds, or a date the calendar cannot
    /// count.
    pub fn supervision(&mut self, principal: &Principal, query: &SupervisionQuery) -> Result<Supervision, EngineError> {
        self.store().begin_snapshot()?;
        let counted = self.supervision_snapshot(principal, query);
        self.store().end_snapshot()?;
        counted
    }

    fn supervision_snapshot(
        &mut self,
        principal: &Principal,
        query: &SupervisionQuery,
    ) -> Result<Supervision, EngineError> {
        let mut cards: HashMap<String, Vec<Warning>> = HashMap::new();
        for warning in self.warnings(&WarningQuery::default())? {
            if warning.kind != WarningKind::Prompt && warning.applies_on.year() == query.year {
                cards.entry(warning.case_id.clone()).or_default().push(warning);
            }
        }
        let mut tally = Tally {
            query,
            keys: KeyBook::of(&self.keys()?),
            groups: BTreeMap::new(),
            clocks: BTreeMap::new(),
            cases: 0,
            counted: 0,
        };
        let first_day = NaiveDate::from_ymd_opt(query.year, 1, 1).unwrap_or(NaiveDate::MIN);
        for row in self.cases()? {
            if !principal.may_read(&row.workflow) || query.workflow.as_ref().is_some_and(|only| *only != row.workflow) {
                continue;
            }
            let case_cards = cards.remove(&row.id).unwrap_or_default();
            // A case opened after the year, or with nothing after its start, has nothing in it
            // (a year of margin for the instants' offsets; the dates below are exact).
            let year_of = |instant: &str| instant.get(..4).and_then(|year| year.parse::<i32>().ok());
            if year_of(&row.opened_at).is_some_and(|year| year > query.year + 1)
                || (year_of(&row.last_at).is_some_and(|year| year < query.year - 1) && case_cards.is_empty())
            {
                continue;
            }
            let view = self.view_of(row)?;
            let zone = self.calendar(&view.workflow)?.zone();
            let dates: Vec<NaiveDate> = view.events.iter().map(|event| zone.civil_date(event.at)).collect();
            // A case finished before the year has nothing in it either.
            if dates.last().is_some_and(|last| *last < first_day) && case_cards.is_empty() {
                continue;
            }
            let as_of = query.as_of.max(dates.last().copied().unwrap_or(query.as_of));
            let timing = self.timing_of(&view, as_of)?;
            let card_refs: Vec<&Warning> = case_cards.iter().collect();
            tally.add(&view, &timing, &dates, &card_refs);
        }
        Ok(tally.finish())
    }
}
