// covet::Prefetched<T>: a plain list that prefetch_related fills through covet::Prefetch's
// to_attr, Django's `to_attr`: a filtered or ordered prefetch kept apart from the relation's own
// cache.
//
//   struct Author { ...; covet::ReverseMany<Book> books; covet::Prefetched<Book> long_books; };
//   auto authors = db.objects<Author>()
//       .prefetch_related(covet::Prefetch("books", db.objects<Book>().filter("pages__gte", 300), "long_books"))
//       .to_vector();
//   authors[0].long_books.size();   // no query
#pragma once

#include <covet/model.hpp>
#include <covet/relation_link.hpp>

#include <cstddef>
#include <vector>

namespace covet {

template <class T>
class Prefetched {
public:
    using covet_relation_only = void;
    using target_type = T;

    const std::vector<T>& items() const noexcept { return items_; }
    auto begin() const noexcept { return items_.begin(); }
    auto end() const noexcept { return items_.end(); }
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    const T& operator[](std::size_t i) const { return items_[i]; }

private:
    static void describe(ModelInfo& info, std::string_view field, std::size_t member) {
        detail::describe_list(info, field, member, &model_info<T>);
    }
    static void attach(void* self, const detail::Attachment&, std::size_t) { static_cast<Prefetched*>(self)->items_.clear(); }
    static void start_list(void* self) { static_cast<Prefetched*>(self)->items_.clear(); }
    static void* append(void* self, std::size_t expected) {
        auto& items = static_cast<Prefetched*>(self)->items_;
        if (items.capacity() == 0) items.reserve(expected);
        return &items.emplace_back();
    }
    static std::size_t list_size(void* self) { return static_cast<Prefetched*>(self)->items_.size(); }
    static void* list_at(void* self, std::size_t i) { return &static_cast<Prefetched*>(self)->items_[i]; }

    std::vector<T> items_;

public:
    static constexpr detail::RelationOps relation_ops{
        detail::RelationOps::Role::List, &describe, &attach,    nullptr,  nullptr, nullptr,
        &start_list,                     &append,   &list_size, &list_at, nullptr,
    };
};

}  // namespace covet
