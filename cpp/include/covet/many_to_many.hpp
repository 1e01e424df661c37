// covet::ManyToMany<T, options, Through>: Django's ManyToManyField. No column: the pairs live in a
// junction table that migrate() creates ("<table>_<field>" with "<model>_id" and "<target>_id",
// Django's names: books_categories(book_id, category_id); "from_<m>_id" / "to_<m>_id" for a
// self relation) or in the table of a custom Through model (two ForeignKeys plus extra fields).
// The member is the related manager of its object (related_set.hpp, related_manager.hpp).
//
//   struct Book {
//       std::int64_t id = 0;
//       covet::ManyToMany<Category, {.related_name = "books"}> categories;
//   };
//   struct Group {
//       std::int64_t id = 0;
//       covet::ManyToMany<Person, {.related_name = "groups"}, Membership> members;
//   };
//   b.categories.add(db, fiction, 7);  b.categories.all();  group.members.add(db, ann, covet::through_defaults(m));
//
// A self ManyToMany is symmetrical unless {.symmetrical = covet::Symmetry::Asymmetrical}: adding
// b to a's friends adds a to b's, and it has no reverse side (Django's rule).
#pragma once

#include <covet/related_set.hpp>
#include <covet/relation_options.hpp>

#include <span>
#include <type_traits>
#include <utility>

namespace covet {

template <class T, ManyToManyOptions O = ManyToManyOptions{}, class Through = void>
class ManyToMany : public detail::RelatedSet<T, false> {
    using Base = detail::RelatedSet<T, false>;

public:
    using through_type = Through;
    static constexpr ManyToManyOptions options = O;

private:
    static const ModelInfo& (*through_info())() {
        if constexpr (std::is_void_v<Through>) {
            return nullptr;
        } else {
            return &model_info<Through>;
        }
    }
    static void describe(ModelInfo& info, std::string_view field, std::size_t member) {
        detail::describe_many_to_many(info, field, member, O, &model_info<T>, through_info());
    }

public:
    static constexpr detail::RelationOps relation_ops{
        detail::RelationOps::Role::Many, &describe,       &Base::attach,   nullptr,       nullptr, nullptr,
        &Base::start_list,               &Base::append,   &Base::list_size, &Base::list_at, nullptr,
    };
};

// Adds many pairs of one ManyToMany at once, for any number of owners: Django's
// Book.categories.through.objects.bulk_create(...), with add()'s rules. Each pair is (the key of a
// T object, the key of a related object):
//
//   std::vector<std::pair<covet::Value, covet::Value>> pairs;
//   for (const Book& b : created) pairs.emplace_back(b.id, fiction.id);
//   covet::bulk_add<&Book::categories>(db, pairs);
//
// One transaction. Pairs already there are ignored, a symmetrical relation stores both ways, and
// the keys are checked once per side at the end instead of row by row (an IntegrityError names
// the key that is missing, and nothing is added). A ManyToMany with a through model has extra
// fields: bulk_create its objects instead.
template <auto Member>
void bulk_add(Database& db, std::span<const std::pair<Value, Value>> pairs) {
    using traits = detail::member_pointer_traits<decltype(Member)>;
    using M = typename traits::member_type;
    static_assert(requires { typename M::through_type; }, "covet::bulk_add<&T::member>: the member must be a covet::ManyToMany");
    if constexpr (requires { typename M::through_type; }) {
        static_assert(std::is_void_v<typename M::through_type>,
                      "covet::bulk_add: this ManyToMany has a through model: bulk_create its objects instead");
    }
    detail::related_bulk_add(db, detail::require_link(model_info<typename traits::class_type>(), member_name<Member>()),
                             pairs);
}

}  // namespace covet
