// covet::detail::MemberState and OwnerKey (member_state.hpp, provenance.hpp): what every relation
// member keeps in two words. The Provenance counts, the cache's copies and moves, the owner key's
// in-place and heap forms, and a model whose keys need the heap form, end to end.
#include <covet/covet.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace shelving {

struct Box;

struct Shelf {
    std::int64_t id = 0;
    std::string name{};
    covet::ReverseMany<Box> boxes{};
};

struct Box {
    std::int64_t id = 0;
    covet::ForeignKey<Shelf, {.on_delete = covet::Cascade, .related_name = "boxes"}> shelf{};
    std::string label{};
};

}  // namespace shelving

BOOST_HANA_ADAPT_STRUCT(shelving::Shelf, id, name, boxes);
BOOST_HANA_ADAPT_STRUCT(shelving::Box, id, shelf, label);

using covet::Value;
using covet::detail::MemberState;
using covet::detail::OwnerKey;
using covet::detail::Provenance;
using covet::detail::Provenances;
using shelving::Box;
using shelving::Shelf;

namespace {

using Cache = std::vector<std::string>;

std::size_t refs(const Provenance* p) { return p->block->refs.load(); }

// The Provenances of Box's one relation member, not tied to a Database.
Provenances box_provenances() { return covet::detail::provenances({}, covet::model_info<Box>(), 7); }

}  // namespace

TEST_CASE("a member state counts its Provenance while it points to it") {
    const Provenances from = box_provenances();
    const Provenance* p = from[0];
    CHECK(refs(p) == 1);  // the handle
    CHECK(p->owner == &covet::model_info<Box>());
    CHECK(p->origin == 7);
    {
        MemberState<Cache> a;
        CHECK_FALSE(a.attached());
        CHECK(a.owner() == nullptr);
        CHECK(a.origin() == 0);
        a.attach(p);
        CHECK(a.from() == p);
        CHECK(a.origin() == 7);
        CHECK(refs(p) == 2);
        a.attach(p);  // the same object read again: no count touched
        CHECK(refs(p) == 2);
        MemberState<Cache> b = a;
        CHECK(refs(p) == 3);
        MemberState<Cache> c = std::move(b);
        CHECK(refs(p) == 3);
        CHECK_FALSE(b.attached());  // NOLINT(bugprone-use-after-move): a moved-from state is empty
        c = a;
        CHECK(refs(p) == 3);
        c = MemberState<Cache>();
        CHECK(refs(p) == 2);
    }
    CHECK(refs(p) == 1);
}

TEST_CASE("a member's block outlives the query handle while a member points into it") {
    MemberState<Cache> kept;
    const Provenance* p = nullptr;
    {
        const Provenances from = box_provenances();
        p = from[0];
        kept.attach(p);
        CHECK(refs(p) == 2);
    }
    CHECK(refs(p) == 1);  // only the member: still readable (AddressSanitizer checks it)
    CHECK(kept.owner() == &covet::model_info<Box>());
}

TEST_CASE("a member state's cache keeps the Provenance, is copied with it, and moves with it") {
    const Provenances from = box_provenances();
    const Provenance* p = from[0];
    MemberState<Cache> a;
    CHECK(a.cache() == nullptr);
    a.emplace_cache(Cache{"x"});  // before attach: a cache with no Provenance
    CHECK(a.from() == nullptr);
    a.attach(p);
    CHECK(a.from() == p);
    CHECK(*a.cache() == Cache{"x"});
    CHECK(refs(p) == 2);

    MemberState<Cache> copy = a;
    REQUIRE(copy.cache() != nullptr);
    CHECK(copy.cache() != a.cache());  // its own
    CHECK(*copy.cache() == Cache{"x"});
    CHECK(copy.from() == p);
    CHECK(refs(p) == 3);
    copy.cache()->push_back("y");
    CHECK(*a.cache() == Cache{"x"});

    a.emplace_cache(Cache{"z", "w"});  // replaces the cache, keeps the Provenance
    CHECK(*a.cache() == Cache{"z", "w"});
    CHECK(a.from() == p);
    CHECK(refs(p) == 3);

    a.reset_cache();
    CHECK(a.cache() == nullptr);
    CHECK(a.from() == p);
    CHECK(refs(p) == 3);

    a = copy;  // a copy with a cache, onto one without
    CHECK(*a.cache() == Cache{"x", "y"});
    CHECK(refs(p) == 3);
    MemberState<Cache> moved = std::move(a);
    CHECK(*moved.cache() == Cache{"x", "y"});
    CHECK(refs(p) == 3);
    moved = MemberState<Cache>();
    copy.reset_cache();
    copy = MemberState<Cache>();
    CHECK(refs(p) == 1);
}

TEST_CASE("an owner key keeps integers in place and anything else on the heap, as the same value") {
    constexpr std::int64_t limit = std::int64_t{1} << 62;
    for (const std::int64_t key : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, limit - 1, -limit, limit,
                                   -limit - 1, std::numeric_limits<std::int64_t>::max(),
                                   std::numeric_limits<std::int64_t>::min()}) {
        CAPTURE(key);
        const OwnerKey direct(key);
        const OwnerKey from_value{Value{key}};
        CHECK(direct.value() == Value{key});
        CHECK(from_value.value() == Value{key});
        CHECK(direct == from_value);
        OwnerKey copy = direct;
        CHECK(copy == direct);
        copy = OwnerKey(key == 0 ? 1 : 0);
        CHECK_FALSE(copy == direct);
        copy = direct;
        OwnerKey moved = std::move(copy);
        CHECK(moved.value() == Value{key});
    }
    const OwnerKey text{Value{std::string("A-12")}};
    CHECK(text.value() == Value{std::string("A-12")});
    CHECK(text == OwnerKey{Value{std::string("A-12")}});
    CHECK_FALSE(text == OwnerKey{Value{std::string("A-13")}});
    CHECK_FALSE(text == OwnerKey(12));
    CHECK(OwnerKey().value() == Value{});
    CHECK(OwnerKey{Value{}} == OwnerKey());
    CHECK_FALSE(OwnerKey() == OwnerKey(0));  // NULL is not the integer 0
}

TEST_CASE("keys beyond 2^62 reach their related objects: lazily, prefetched, through copies") {
    covet::Database db(":memory:");
    db.migrate<Shelf, Box>();
    const std::int64_t top = std::numeric_limits<std::int64_t>::max();
    const std::int64_t bottom = std::numeric_limits<std::int64_t>::min() + 1;
    const Shelf high = db.create(Shelf{.id = top, .name = "high"});
    const Shelf low = db.create(Shelf{.id = bottom, .name = "low"});
    const Shelf mid = db.create(Shelf{.id = 5, .name = "mid"});
    db.create(Box{.id = 1, .shelf = top, .label = "a"});
    db.create(Box{.id = 2, .shelf = top, .label = "b"});
    db.create(Box{.id = 3, .shelf = bottom, .label = "c"});

    CHECK(high.boxes.count() == 2);  // saved objects: the heap form from create()
    CHECK(low.boxes.count() == 1);
    CHECK(mid.boxes.count() == 0);

    std::vector<Shelf> shelves = db.objects<Shelf>().order_by("-id").prefetch_related("boxes").to_vector();
    REQUIRE(shelves.size() == 3);
    CHECK(shelves[0].id == top);
    CHECK(shelves[0].boxes.is_cached());
    std::vector<std::string> labels;
    for (const Box& b : shelves[0].boxes) labels.push_back(b.label);
    CHECK(labels == std::vector<std::string>{"a", "b"});
    CHECK(shelves[2].boxes.count() == 1);

    const Shelf copy = shelves[2];  // read objects: the heap form from a query, copied
    shelves.clear();
    CHECK(copy.boxes.is_cached());
    CHECK(copy.boxes.all().at(0).label == "c");
    copy.boxes.add(db.create(Box{.id = 4, .shelf = top, .label = "d"}));
    CHECK(db.get<Box>(4).shelf.id() == bottom);
    CHECK(db.get<Shelf>(bottom).boxes.count() == 2);  // a lazy load from a fresh object
}
