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

#include <type_traits>

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

}  // namespace covet
