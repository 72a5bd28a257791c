//! Numeric ids for the names of a workflow, given once at load. Nothing downstream compares names.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) u16);

        impl $name {
            /// The position in the workflow's list of this kind.
            pub fn index(self) -> usize {
                usize::from(self.0)
            }
        }
    };
}

id_type!(
    /// A state or region.
    StateId
);
id_type!(
    /// A transition, by its position in the workflow.
    TransitionId
);
id_type!(
    /// A clock.
    ClockId
);
id_type!(
    /// A role.
    RoleId
);
id_type!(
    /// An action: a transition's or an extension's.
    ActionId
);
id_type!(
    /// An attribute.
    AttributeId
);
id_type!(
    /// A stage.
    StageId
);
