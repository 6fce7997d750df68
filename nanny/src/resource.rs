//! The resources the sandbox charges from inside: renewable ones (rates) and items.

use restrictions::ResourceId;

/// A renewable resource charged by the API through a leaky bucket (reference §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Renewable {
    /// `filewrite`: bytes written to files.
    Filewrite,
    /// `fileread`: bytes read from files.
    Fileread,
    /// `netsend`: bytes sent to non-loopback addresses.
    Netsend,
    /// `netrecv`: bytes received from non-loopback addresses.
    Netrecv,
    /// `loopsend`: bytes sent to loopback addresses.
    Loopsend,
    /// `looprecv`: bytes received from loopback addresses.
    Looprecv,
    /// `lograte`: bytes written by `log`.
    Lograte,
    /// `random`: bytes returned by `randombytes`.
    Random,
}

impl Renewable {
    /// How many renewable resources there are.
    pub const COUNT: usize = 8;

    /// Every renewable resource, in the order of the shared page.
    pub const ALL: [Renewable; Renewable::COUNT] = [
        Renewable::Filewrite,
        Renewable::Fileread,
        Renewable::Netsend,
        Renewable::Netrecv,
        Renewable::Loopsend,
        Renewable::Looprecv,
        Renewable::Lograte,
        Renewable::Random,
    ];

    /// The policy's resource.
    pub fn id(self) -> ResourceId {
        match self {
            Renewable::Filewrite => ResourceId::Filewrite,
            Renewable::Fileread => ResourceId::Fileread,
            Renewable::Netsend => ResourceId::Netsend,
            Renewable::Netrecv => ResourceId::Netrecv,
            Renewable::Loopsend => ResourceId::Loopsend,
            Renewable::Looprecv => ResourceId::Looprecv,
            Renewable::Lograte => ResourceId::Lograte,
            Renewable::Random => ResourceId::Random,
        }
    }

    /// The renewable resource for a policy resource, if it is one.
    pub fn from_id(id: ResourceId) -> Option<Renewable> {
        Renewable::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Its slot in the shared page.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// A fungible item resource: a cap on how many things are held at once (reference §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// `events`: threads alive at once, the main program included.
    Events,
    /// `filesopened`: files open at once.
    Filesopened,
    /// `insockets`: listening sockets open at once.
    Insockets,
    /// `outsockets`: connected sockets open at once.
    Outsockets,
}

impl Item {
    /// How many item resources there are.
    pub const COUNT: usize = 4;

    /// Every item resource, in the order of the shared page.
    pub const ALL: [Item; Item::COUNT] = [
        Item::Events,
        Item::Filesopened,
        Item::Insockets,
        Item::Outsockets,
    ];

    /// The policy's resource.
    pub fn id(self) -> ResourceId {
        match self {
            Item::Events => ResourceId::Events,
            Item::Filesopened => ResourceId::Filesopened,
            Item::Insockets => ResourceId::Insockets,
            Item::Outsockets => ResourceId::Outsockets,
        }
    }

    /// The item resource for a policy resource, if it is one.
    pub fn from_id(id: ResourceId) -> Option<Item> {
        Item::ALL.into_iter().find(|i| i.id() == id)
    }

    /// Its slot in the shared page.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use restrictions::Kind;

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
        // Every rate resource but `cpu` (enforced by the supervisor) is renewable here, and
        // every items resource is an item.
        for id in ResourceId::all() {
            match id.kind() {
                Kind::Rate if id != ResourceId::Cpu => assert!(Renewable::from_id(id).is_some()),
                Kind::Items => assert!(Item::from_id(id).is_some()),
                _ => {
                    assert!(Renewable::from_id(id).is_none());
                    assert!(Item::from_id(id).is_none());
                }
            }
        }
    }
}
