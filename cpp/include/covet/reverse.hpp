// The reverse side of a relation without a declared member, and related managers by name:
//
//   covet::RelatedManager<Book> books = covet::reverse<&Book::author>(db, ann);   // ann's books
//   Profile p = covet::reverse<&Profile::author>(db, ann);        // RelatedObjectDoesNotExist if none
//   std::optional<Profile> maybe = covet::reverse_optional<&Profile::author>(db, ann);
//   auto same = db.related<Book>(ann, "books");                    // by related_name
//   auto cats = db.related<Category>(book, "categories");          // a forward ManyToMany
//
// When the owner declares the member (covet::ReverseMany<Book> books), the manager serves its
// prefetch cache too.
#pragma once

#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/model.hpp>
#include <covet/related_manager.hpp>
#include <covet/related_set.hpp>
#include <covet/relation_link.hpp>

#include <optional>
#include <string_view>
#include <type_traits>

namespace covet {

namespace detail {

// The link of Member's relation, reversed (from its target back to Member's model).
RelationLink reverse_of(const ModelInfo& model, std::string_view field);
// The key of `owner` (an object of link.from) that the relation stores.
Value owner_key(const RelationLink& link, const void* owner);
// UsageError unless `link` leads to `model` and relates several objects.
void check_manager_link(const RelationLink& link, const ModelInfo& model);
// The member of link.from that caches this relation's objects, if it declares one.
std::optional<std::size_t> cache_member(const RelationLink& link);

template <class T>
RelatedManager<T> manager_of(Database& db, const RelationLink& link, const void* owner) {
    check_manager_link(link, model_info<T>());
    if (const std::optional<std::size_t> member = cache_member(link)) {
        void* m = link.from->ops.relations[*member].at(const_cast<void*>(owner));
        if (link.reverse) {
            const auto* set = static_cast<const RelatedSet<T, true>*>(m);
            if (set->attached()) return set->manager(db);
        } else {
            const auto* set = static_cast<const RelatedSet<T, false>*>(m);
            if (set->attached()) return set->manager(db);
        }
    }
    return RelatedManager<T>(db, link, owner_key(link, owner));
}

template <auto Member>
struct reverse_traits {
    using model_type = typename member_pointer_traits<decltype(Member)>::class_type;
    using member_type = typename member_pointer_traits<decltype(Member)>::member_type;
    static_assert(relation_column<member_type>,
                  "covet::reverse<&T::member>: the member must be a covet::ForeignKey or covet::OneToOne");
    using owner_type = typename member_type::target_type;
    static RelationLink link() { return reverse_of(model_info<model_type>(), column_of<Member>().field); }
};

}  // namespace detail

// The objects whose Member refers to `owner`: a RelatedManager for a ForeignKey, the one object
// (RelatedObjectDoesNotExist when there is none) for a OneToOne.
template <auto Member>
auto reverse(Database& db, const typename detail::reverse_traits<Member>::owner_type& owner) {
    using traits = detail::reverse_traits<Member>;
    using T = typename traits::model_type;
    const RelationLink link = traits::link();
    if constexpr (traits::member_type::kind == RelationKind::OneToOne) {
        const Value key = detail::owner_key(link, &owner);
        T object{};
        if (!detail::find_object(db, model_info<T>(), *link.to_column, key, &object, 0)) {
            throw RelatedObjectDoesNotExist("covet: " + link.from->name + " " + describe(key) + " has no " +
                                            model_info<T>().name + " (" + link.to->name + "." +
                                            link.relation->field + ")");
        }
        return object;
    } else {
        return detail::manager_of<T>(db, link, &owner);
    }
}

// The reverse OneToOne object, or nullopt.
template <auto Member>
std::optional<typename detail::reverse_traits<Member>::model_type> reverse_optional(
    Database& db, const typename detail::reverse_traits<Member>::owner_type& owner) {
    using traits = detail::reverse_traits<Member>;
    using T = typename traits::model_type;
    static_assert(traits::member_type::kind == RelationKind::OneToOne,
                  "covet::reverse_optional<&T::member>: the member must be a covet::OneToOne");
    const RelationLink link = traits::link();
    T object{};
    if (!detail::find_object(db, model_info<T>(), *link.to_column, detail::owner_key(link, &owner), &object, 0)) {
        return std::nullopt;
    }
    return object;
}

template <class T, class Owner>
RelatedManager<T> Database::related(const Owner& owner, std::string_view name) {
    return detail::manager_of<T>(*this, detail::require_link(model_info<Owner>(), name), &owner);
}

}  // namespace covet
