//! `Workflow`: a validated flow definition. It can only be made by `load_workflow`, so holding one
//! means every name resolved, every guard type-checked and every structural rule held.

use super::attribute::Attribute;
use super::clock::{Clock, Rounding};
use super::guard::Guard;
use super::ids::{ActionId, AttributeId, ClockId, RoleId, StageId, StateId, TransitionId};
use super::lookup::{ClockStates, Lookup, MovePlan};
use super::state_set::StateSet;

#[derive(Clone, Debug)]
pub struct Workflow {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) title: Option<String>,
    pub(crate) calendar: String,
    pub(crate) roles: Vec<Role>,
    pub(crate) actions: Vec<Action>,
    pub(crate) attributes: Vec<Attribute>,
    pub(crate) stages: Vec<Stage>,
    pub(crate) states: Vec<State>,
    pub(crate) initial: StateId,
    pub(crate) transitions: Vec<Transition>,
    pub(crate) clocks: Vec<Clock>,
    pub(crate) lineage: Vec<Lineage>,
    /// For each state, the transitions whose `from` names it.
    pub(crate) transitions_from: Vec<Vec<TransitionId>>,
    /// Lookups the core makes on every step, derived from the fields above.
    pub(crate) lookup: Lookup,
    /// Worked out on first use: most runs never show it, and hashing the canonical form is a
    /// large share of loading a workflow.
    pub(crate) content_hash: std::sync::OnceLock<[u8; 32]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub name: String,
    pub title: Option<String>,
    pub kind: ActionKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// Taken by transitions.
    Transition,
    /// Extends this clock.
    Extension(ClockId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub name: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub name: String,
    pub title: Option<String>,
    /// The compound or parallel state (or region) this one is in.
    pub parent: Option<StateId>,
    pub kind: StateKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateKind {
    Atomic,
    Final,
    /// A compound state or, when its parent is parallel, a region (`done` is then `None`).
    Compound {
        initial: StateId,
        children: Vec<StateId>,
        done: Option<StateId>,
    },
    Parallel {
        regions: Vec<StateId>,
        done: StateId,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub action: ActionId,
    pub from: Vec<StateId>,
    pub to: StateId,
    pub roles: Vec<RoleId>,
    pub guard: Option<Guard>,
    pub title: Option<String>,
}

/// One reform in a workflow's history: what it was applied to and how it rounded.
#[derive(Clone)]
pub struct Lineage {
    pub base_id: String,
    pub base_version: String,
    /// The base itself, for its content hash: worked out only when asked for, like every
    /// workflow's (loading a reform does not pay for hashing its base).
    pub(crate) base: std::sync::Arc<Workflow>,
    pub reform_title: String,
    pub rounding: Option<Rounding>,
    /// The parallel states this reform made.
    pub parallelized: Vec<Parallelized>,
}

impl Lineage {
    /// The content hash of the workflow this reform was applied to.
    pub fn base_content_hash(&self) -> [u8; 32] {
        self.base.content_hash()
    }
}

impl PartialEq for Lineage {
    fn eq(&self, other: &Lineage) -> bool {
        self.base_id == other.base_id
            && self.base_version == other.base_version
            && self.reform_title == other.reform_title
            && self.rounding == other.rounding
            && self.parallelized == other.parallelized
            && self.base_content_hash() == other.base_content_hash()
    }
}

impl Eq for Lineage {}

impl std::fmt::Debug for Lineage {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Lineage")
            .field("base_id", &self.base_id)
            .field("base_version", &self.base_version)
            .field("base_content_hash", &hex(&self.base_content_hash()))
            .field("reform_title", &self.reform_title)
            .field("rounding", &self.rounding)
            .field("parallelized", &self.parallelized)
            // The base workflow itself is shown by its hash above.
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parallelized {
    pub state: StateId,
    /// The serial states it was made from, by name (they may no longer exist).
    pub sequence: Vec<String>,
    pub when: Option<Guard>,
}

impl Workflow {
    /// Works out the lookups, once the definition has resolved without a problem (a definition
    /// with problems may have cycles the lookups would follow).
    pub(crate) fn index(&mut self) {
        self.lookup = Lookup::new(&self.states, self.initial, &self.transitions, &self.actions, &self.clocks);
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The id of the calendar the clocks count on.
    pub fn calendar(&self) -> &str {
        &self.calendar
    }

    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    pub fn states(&self) -> &[State] {
        &self.states
    }

    pub fn initial(&self) -> StateId {
        self.initial
    }

    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    pub fn clocks(&self) -> &[Clock] {
        &self.clocks
    }

    /// The reforms that made this version, oldest first; empty for a base workflow.
    pub fn lineage(&self) -> &[Lineage] {
        &self.lineage
    }

    /// SHA-256 of the workflow's canonical form (see `canonical.rs`).
    pub fn content_hash(&self) -> [u8; 32] {
        *self.content_hash.get_or_init(|| super::canonical::content_hash(self))
    }

    /// The content hash in lower-case hex.
    pub fn content_hash_hex(&self) -> String {
        hex(&self.content_hash())
    }

    pub fn state(&self, id: StateId) -> &State {
        &self.states[id.index()]
    }

    pub fn transition(&self, id: TransitionId) -> &Transition {
        &self.transitions[id.index()]
    }

    pub fn clock(&self, id: ClockId) -> &Clock {
        &self.clocks[id.index()]
    }

    pub fn role(&self, id: RoleId) -> &Role {
        &self.roles[id.index()]
    }

    pub fn action(&self, id: ActionId) -> &Action {
        &self.actions[id.index()]
    }

    pub fn attribute(&self, id: AttributeId) -> &Attribute {
        &self.attributes[id.index()]
    }

    pub fn stage(&self, id: StageId) -> &Stage {
        &self.stages[id.index()]
    }

    /// Looks a name up once, at the edge (command line, mapping files).
    pub fn state_named(&self, name: &str) -> Option<StateId> {
        self.states.iter().position(|state| state.name == name).map(|index| StateId(index as u16))
    }

    pub fn action_named(&self, name: &str) -> Option<ActionId> {
        let names = &self.lookup.action_names;
        names.binary_search_by(|(known, _)| known.as_str().cmp(name)).ok().map(|index| names[index].1)
    }

    pub fn role_named(&self, name: &str) -> Option<RoleId> {
        self.roles.iter().position(|role| role.name == name).map(|index| RoleId(index as u16))
    }

    pub fn attribute_named(&self, name: &str) -> Option<AttributeId> {
        self.attributes.iter().position(|attribute| attribute.name == name).map(|index| AttributeId(index as u16))
    }

    pub fn clock_named(&self, name: &str) -> Option<ClockId> {
        self.clocks.iter().position(|clock| clock.name == name).map(|index| ClockId(index as u16))
    }

    /// The transitions whose `from` names this state (not its ancestors).
    pub fn transitions_from(&self, state: StateId) -> &[TransitionId] {
        &self.transitions_from[state.index()]
    }

    /// This state and the states it is inside, innermost first.
    pub fn ancestors(&self, state: StateId) -> impl Iterator<Item = StateId> + '_ {
        std::iter::successors(Some(state), |id| self.state(*id).parent)
    }

    /// Whether `inner` is `outer` or lies inside it.
    pub fn is_within(&self, inner: StateId, outer: StateId) -> bool {
        self.lookup.within[inner.index()].contains(outer)
    }

    /// The state and every state it lies inside, as a set.
    pub fn within_set(&self, state: StateId) -> &StateSet {
        &self.lookup.within[state.index()]
    }

    /// How many states `state` lies inside (0 at the top level).
    pub fn depth(&self, state: StateId) -> usize {
        usize::from(self.lookup.depth[state.index()])
    }

    /// The leaves entered when a transition enters `state`: the state, its initial children
    /// down to an atomic state, and every region of a parallel state, depth first.
    pub fn entered_leaves(&self, state: StateId) -> &[StateId] {
        &self.lookup.entered_leaves[state.index()]
    }

    /// The transitions that take `action`, in file order.
    pub fn transitions_of(&self, action: ActionId) -> &[TransitionId] {
        &self.lookup.transitions_of_action[action.index()]
    }

    /// The clocks that entering `state` starts (when they are not running).
    pub fn clocks_started_by(&self, state: StateId) -> &[ClockId] {
        &self.lookup.clocks_started_by[state.index()]
    }

    /// The clocks that have pause states, by id.
    pub fn clocks_with_pauses(&self) -> &[ClockId] {
        &self.lookup.clocks_with_pauses
    }

    /// The move transition `transition` makes from its source `source` (one of its `from`).
    pub(crate) fn transition_move(&self, transition: TransitionId, source: StateId) -> Option<&MovePlan> {
        let position = self.transition(transition).from.iter().position(|from| *from == source)?;
        self.lookup.transition_moves[transition.index()].get(position)
    }

    /// The states opening a case enters, outermost first: the initial state's leaves and all
    /// their ancestors.
    pub(crate) fn opening_entered(&self) -> &[StateId] {
        &self.lookup.opening_entered
    }

    /// The move `state`'s `done` step makes, if it has one.
    pub(crate) fn done_move(&self, state: StateId) -> Option<&MovePlan> {
        self.lookup.done_moves[state.index()].as_ref()
    }

    /// Every clock's pause states, as one set.
    pub(crate) fn pause_states(&self) -> &StateSet {
        &self.lookup.pause_states
    }

    /// The region `state` lies in: the innermost of it and its ancestors that is a child of a
    /// parallel state; `None` outside every parallel state.
    pub fn region_of(&self, state: StateId) -> Option<StateId> {
        self.lookup.regions[state.index()]
    }

    /// Whether `state` is a final state (at any depth).
    pub fn is_final(&self, state: StateId) -> bool {
        self.lookup.finals.contains(state)
    }

    /// Whether `state` is a top-level final state: a case that reaches it has ended.
    pub fn is_top_final(&self, state: StateId) -> bool {
        self.lookup.top_finals.contains(state)
    }

    /// Whether a transition of `action` leaves the initial configuration (the states a new
    /// case is in) for a state that does not end the case: a step that can be a case's first
    /// after its opening, whatever its guard and roles.
    pub fn leaves_initial_without_ending(&self, action: ActionId) -> bool {
        let initial = self.entered_leaves(self.initial());
        self.transitions().iter().filter(|transition| transition.action == action).any(|transition| {
            transition.from.iter().any(|from| initial.iter().any(|leaf| self.is_within(*leaf, *from)))
                && !self.is_top_final(transition.to)
        })
    }

    /// Clock `clock`'s start, stop and restart states as sets.
    pub(crate) fn clock_states(&self, clock: ClockId) -> &ClockStates {
        &self.lookup.clocks[clock.index()]
    }

    /// All states by id, for iteration.
    pub fn state_ids(&self) -> impl Iterator<Item = StateId> + use<> {
        (0..self.states.len()).map(|index| StateId(index as u16))
    }
}

/// `bytes` in lower-case hexadecimal, two digits each. Every event's hash goes through here,
/// so it avoids the formatting machinery.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lower_case_digits_per_byte_in_order() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff, 0x10]), "000fa5ff10");
        assert_eq!(super::hex(&[]), "");
        let every = (0..=255_u8).fold(String::new(), |mut every, byte| {
            use std::fmt::Write as _;
            let _ = write!(every, "{byte:02x}");
            every
        });
        assert_eq!(super::hex(&(0..=255_u8).collect::<Vec<_>>()), every);
    }
}
