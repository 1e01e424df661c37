// covet::ReverseMany<T>: the declared reverse side of a ForeignKey or ManyToMany of model T to this
// model. C++ cannot add members to a struct, so where Django adds `author.books` by itself, a
// covet model declares it, named as the relation's related_name. It is what prefetch_related
// fills, and the related manager of its object (related_set.hpp):
//
//   struct Author {
//       std::int64_t id = 0;
//       std::string name;
//       covet::ReverseMany<Book> books;     // Book::author has .related_name = "books"
//   };
//   for (const Author& a : db.objects<Author>().prefetch_related("books"))
//       a.books.count();                    // no query: served by the prefetch cache
//
// Without the member, covet::reverse<&Book::author>(db, ann) and db.related<Book>(ann, "books")
// give the same manager, and filters may still cross the relation ("books__pages__gte").
#pragma once

#include <covet/related_set.hpp>

namespace covet {

template <class T>
class ReverseMany : public detail::RelatedSet<T, true> {
    using Base = detail::RelatedSet<T, true>;

    static void describe(ModelInfo& info, std::string_view field, std::size_t member) {
        detail::describe_reverse(info, field, member, false, &model_info<T>);
    }

public:
    static constexpr detail::RelationOps relation_ops{
        detail::RelationOps::Role::Many, &describe,       &Base::attach,   nullptr,       nullptr, nullptr,
        &Base::start_list,               &Base::append,   &Base::list_size, &Base::list_at, nullptr,
    };
};

}  // namespace covet
