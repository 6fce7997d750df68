//! The resources the sandbox charges from inside: renewable ones (rates) and items.
//!
//! Neither is a list of its own: both are views of the policy's one resource table
//! ([`restrictions::RESOURCES`]), chosen by its kind column. [`Renewable`] is every
//! [`Kind::Rate`] resource but `cpu` (which the supervisor enforces by pausing the sandbox, not
//! with a bucket) and `stdinrate` (the supervisor's stdin relay paces it), [`Item`] every
//! [`Kind::Items`] resource. A row added to the table is charged,
//! recorded on the shared page and reported without a change here; the named constants
//! ([`Renewable::LOGRATE`], [`Item::EVENTS`], ...) are only the names the API charges by, each
//! checked against the table by the compiler wherever it is used.

use restrictions::{Kind, ResourceId};

/// Which ledger of the accountant charges a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ledger {
    /// A leaky bucket per resource ([`Renewable`]).
    Rate,
    /// A count of held items per resource ([`Item`]).
    Item,
    /// Not charged by the accountant (enforced by the supervisor, or a port set).
    Elsewhere,
}

/// The ledger that charges `id`, from its kind in the table.
const fn ledger(id: ResourceId) -> Ledger {
    match id.kind() {
        // `cpu` is a rate, but the supervisor holds it (cgroup quota or stop/resume); so is
        // `stdinrate`, at which the supervisor's relay paces standard input
        // (`Stdin::Relay`): the sandbox never charges either.
        Kind::Rate if matches!(id, ResourceId::Cpu | ResourceId::Stdinrate) => Ledger::Elsewhere,
        Kind::Rate => Ledger::Rate,
        Kind::Items => Ledger::Item,
        Kind::Quota | Kind::Ports | Kind::Limit => Ledger::Elsewhere,
    }
}

/// Whether `a` and `b` are the same ledger (`==` is not available in a `const fn`).
const fn same(a: Ledger, b: Ledger) -> bool {
    a as u8 == b as u8
}

/// Marks a slot of [`slots`] whose resource is not in the ledger.
const NO_SLOT: usize = usize::MAX;

/// Each resource's slot in `ledger` (its position among the ledger's resources, in table
/// order), indexed by `ResourceId as usize`; [`NO_SLOT`] for the others. The last entry is
/// how many resources the ledger has.
const fn slots(wanted: Ledger) -> [usize; ResourceId::COUNT + 1] {
    let mut slots = [NO_SLOT; ResourceId::COUNT + 1];
    let mut next = 0;
    let mut index = 0;
    while index < ResourceId::COUNT {
        if same(ledger(ResourceId::ALL[index]), wanted) {
            slots[index] = next;
            next += 1;
        }
        index += 1;
    }
    slots[ResourceId::COUNT] = next;
    slots
}

/// The resources of `wanted`, in table order; `N` must be how many there are.
const fn members<const N: usize>(wanted: Ledger) -> [ResourceId; N] {
    // Every entry is overwritten below; `Cpu` is only a placeholder.
    let mut members = [ResourceId::Cpu; N];
    let mut next = 0;
    let mut index = 0;
    while index < ResourceId::COUNT {
        if same(ledger(ResourceId::ALL[index]), wanted) {
            members[next] = ResourceId::ALL[index];
            next += 1;
        }
        index += 1;
    }
    assert!(next == N, "the ledger's size does not match the table");
    members
}

/// The slots of the renewable resources.
const RATE_SLOTS: [usize; ResourceId::COUNT + 1] = slots(Ledger::Rate);
/// The slots of the item resources.
const ITEM_SLOTS: [usize; ResourceId::COUNT + 1] = slots(Ledger::Item);

/// A renewable resource charged by the API through a leaky bucket (reference §7.1): a
/// [`Kind::Rate`] resource of the table other than `cpu`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Renewable(ResourceId);

impl Renewable {
    /// How many renewable resources there are.
    pub const COUNT: usize = RATE_SLOTS[ResourceId::COUNT];

    /// Every renewable resource, in table order (the order of the shared page).
    pub const ALL: [Renewable; Renewable::COUNT] = {
        let ids = members::<{ Renewable::COUNT }>(Ledger::Rate);
        let mut all = [Renewable(ResourceId::Cpu); Renewable::COUNT];
        let mut index = 0;
        while index < Renewable::COUNT {
            all[index] = Renewable(ids[index]);
            index += 1;
        }
        all
    };

    /// `filewrite`: bytes written to files.
    pub const FILEWRITE: Renewable = Renewable::named(ResourceId::Filewrite);
    /// `fileread`: bytes read from files.
    pub const FILEREAD: Renewable = Renewable::named(ResourceId::Fileread);
    /// `netsend`: bytes sent to non-loopback addresses.
    pub const NETSEND: Renewable = Renewable::named(ResourceId::Netsend);
    /// `netrecv`: bytes received from non-loopback addresses.
    pub const NETRECV: Renewable = Renewable::named(ResourceId::Netrecv);
    /// `loopsend`: bytes sent to loopback addresses.
    pub const LOOPSEND: Renewable = Renewable::named(ResourceId::Loopsend);
    /// `looprecv`: bytes received from loopback addresses.
    pub const LOOPRECV: Renewable = Renewable::named(ResourceId::Looprecv);
    /// `lograte`: bytes written by `log`.
    pub const LOGRATE: Renewable = Renewable::named(ResourceId::Lograte);
    /// `random`: bytes returned by `randombytes`.
    pub const RANDOM: Renewable = Renewable::named(ResourceId::Random);

    /// The renewable resource for a policy resource, if it is one.
    pub const fn from_id(id: ResourceId) -> Option<Renewable> {
        if same(ledger(id), Ledger::Rate) {
            Some(Renewable(id))
        } else {
            None
        }
    }

    /// The policy's resource.
    pub const fn id(self) -> ResourceId {
        self.0
    }

    /// Its slot in the shared page.
    pub(crate) const fn index(self) -> usize {
        RATE_SLOTS[self.0 as usize]
    }

    /// `id` as a renewable resource, for the named constants: evaluated by the compiler, so
    /// a constant that is not renewable in the table fails the build of the code using it.
    const fn named(id: ResourceId) -> Renewable {
        match Renewable::from_id(id) {
            Some(renewable) => renewable,
            None => panic!("not a renewable resource in the resource table"),
        }
    }
}

/// A fungible item resource: a cap on how many things are held at once (reference §7.2): a
/// [`Kind::Items`] resource of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item(ResourceId);

impl Item {
    /// How many item resources there are.
    pub const COUNT: usize = ITEM_SLOTS[ResourceId::COUNT];

    /// Every item resource, in table order (the order of the shared page).
    pub const ALL: [Item; Item::COUNT] = {
        let ids = members::<{ Item::COUNT }>(Ledger::Item);
        let mut all = [Item(ResourceId::Cpu); Item::COUNT];
        let mut index = 0;
        while index < Item::COUNT {
            all[index] = Item(ids[index]);
            index += 1;
        }
        all
    };

    /// `events`: threads alive at once, the main program included.
    pub const EVENTS: Item = Item::named(ResourceId::Events);
    /// `filesopened`: files open at once.
    pub const FILESOPENED: Item = Item::named(ResourceId::Filesopened);
    /// `insockets`: listening sockets open at once.
    pub const INSOCKETS: Item = Item::named(ResourceId::Insockets);
    /// `outsockets`: connected sockets open at once.
    pub const OUTSOCKETS: Item = Item::named(ResourceId::Outsockets);

    /// The item resource for a policy resource, if it is one.
    pub const fn from_id(id: ResourceId) -> Option<Item> {
        if same(ledger(id), Ledger::Item) {
            Some(Item(id))
        } else {
            None
        }
    }

    /// The policy's resource.
    pub const fn id(self) -> ResourceId {
        self.0
    }

    /// Its slot in the shared page.
    pub(crate) const fn index(self) -> usize {
        ITEM_SLOTS[self.0 as usize]
    }

    /// `id` as an item resource, for the named constants: evaluated by the compiler, so a
    /// constant that is not an item in the table fails the build of the code using it.
    const fn named(id: ResourceId) -> Item {
        match Item::from_id(id) {
            Some(item) => item,
            None => panic!("not an item resource in the resource table"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_match_the_policy_table() {
        for (index, r) in Renewable::ALL.into_iter().enumerate() {
            assert_eq!(r.index(), index);
            assert_eq!(r.id().kind(), Kind::Rate);
            assert_eq!(Renewable::from_id(r.id()), Some(r));
        }
        for (index, i) in Item::ALL.into_iter().enumerate() {
            assert_eq!(i.index(), index);
            assert_eq!(i.id().kind(), Kind::Items);
            assert_eq!(Item::from_id(i.id()), Some(i));
        }
        // Every rate resource but `cpu` and `stdinrate` (enforced by the supervisor) is
        // renewable here, and every items resource is an item.
        for id in ResourceId::all() {
            match id.kind() {
                Kind::Rate if !matches!(id, ResourceId::Cpu | ResourceId::Stdinrate) => {
                    assert!(Renewable::from_id(id).is_some())
                }
                Kind::Items => assert!(Item::from_id(id).is_some()),
                _ => {
                    assert!(Renewable::from_id(id).is_none());
                    assert!(Item::from_id(id).is_none());
                }
            }
        }
    }

    #[test]
    fn the_named_resources_are_the_tables() {
        assert_eq!(Renewable::LOGRATE.id(), ResourceId::Lograte);
        assert_eq!(Renewable::ALL[Renewable::RANDOM.index()], Renewable::RANDOM);
        assert_eq!(Item::ALL[Item::OUTSOCKETS.index()], Item::OUTSOCKETS);
        assert_eq!(Item::EVENTS.id().key(), "events");
        // Ordered as the table is, so the shared page and the report keep table order.
        assert!(Renewable::FILEWRITE < Renewable::RANDOM);
    }
}
