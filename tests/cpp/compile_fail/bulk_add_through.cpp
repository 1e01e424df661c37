// bulk_add on a ManyToMany with a through model: its rows have fields of their own, so they are
// created with bulk_create of the through model, as in Django.
#include <covet/covet.hpp>

#include <utility>
#include <vector>

struct Group;
struct Membership;
struct Person {
    std::int64_t id = 0;
};
BOOST_HANA_ADAPT_STRUCT(Person, id);
struct Group {
    std::int64_t id = 0;
    covet::ManyToMany<Person, {.related_name = "groups"}, Membership> members{};
};
BOOST_HANA_ADAPT_STRUCT(Group, id, members);
struct Membership {
    std::int64_t id = 0;
    covet::ForeignKey<Group, {.on_delete = covet::Cascade}> group{};
    covet::ForeignKey<Person, {.on_delete = covet::Cascade}> person{};
    std::string role{};
};
BOOST_HANA_ADAPT_STRUCT(Membership, id, group, person, role);

int main() {
    covet::Database db{":memory:"};
    const std::vector<std::pair<covet::Value, covet::Value>> pairs;
    covet::bulk_add<&Group::members>(db, pairs);
}
