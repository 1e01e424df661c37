// covet::RelatedManager<T>: Django's related manager. The objects of model T related to one owner
// object through one relation: the reverse of a ForeignKey (author's books), either side of a
// ManyToMany (a book's categories, a category's books).
//
//   auto books = covet::reverse<&Book::author>(db, ann);        // or db.related<Book>(ann, "books")
//   books.all();  books.count();  books.exists();               // served by a prefetch cache if any
//   books.filter("pages__gte", 200).order_by("-pages");         // a QuerySet<Book> (always queries)
//   books.create(Book{.title = "Dune"});                        // sets book.author
//   b.categories.add(db, fiction, 7);                           // objects or keys; idempotent
//   b.categories.remove(fiction);  b.categories.clear();  b.categories.set(std::vector{1, 2});
//   group.members.add(db, ann, covet::through_defaults(Membership{.role = "admin"}));
//
// add / remove / clear: on a ManyToMany, junction rows (pairs already there are ignored); on a
// reverse ForeignKey, add() sets the objects' key to the owner, and remove() / clear() set it to
// NULL (nullable keys only, as Django). Each is one statement; set() is a transaction. Writing
// drops the owner's prefetch cache of this relation, as Django does.
#pragma once

#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/filter.hpp>
#include <covet/member_state.hpp>
#include <covet/model.hpp>
#include <covet/queryset.hpp>
#include <covet/relation_link.hpp>

#include <cstdint>
#include <memory>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace covet {

// Extra field values for the through model rows add() / set() / create() make:
// covet::through_defaults(Membership{.role = "admin"}).
template <class Through>
struct ThroughDefaults {
    Through value;
};
template <class Through>
ThroughDefaults<Through> through_defaults(Through value) {
    return {std::move(value)};
}

namespace detail {

// Non-template work of the managers (related_manager.cpp). Keys are primary keys of the related
// model; `owner` is the owner's key the relation stores.
Query related_query(const Query& query, const RelationLink& link, const Value& owner);
void related_add(Database& db, const RelationLink& link, const Value& owner, const std::vector<Value>& keys);
// covet::bulk_add (many_to_many.hpp): pairs (owner key, related key) of an automatic junction.
void related_bulk_add(Database& db, const RelationLink& link, std::span<const std::pair<Value, Value>> pairs);
void related_remove(Database& db, const RelationLink& link, const Value& owner, const std::vector<Value>& keys);
void related_clear(Database& db, const RelationLink& link, const Value& owner);
// The keys of the objects related now.
std::vector<Value> related_keys(Database& db, const RelationLink& link, const Value& owner);
// The keys of `keys` not related yet.
std::vector<Value> unrelated_keys(Database& db, const RelationLink& link, const Value& owner,
                                  const std::vector<Value>& keys);
// The keys in `a` that are not in `b`.
std::vector<Value> key_difference(const std::vector<Value>& a, const std::vector<Value>& b);
// The column index of a through model's key column (by column name).
std::size_t through_column(const ModelInfo& through, const std::string& column);
// UsageError unless the owner has been saved (Django refuses related managers of unsaved objects).
void check_owner(const RelationLink& link, const Value& owner);
// An unsaved object given to add() / remove() / set(): UsageError (Django's ValueError).
[[noreturn]] void throw_unsaved_related(const ModelInfo& model);

template <class X>
inline constexpr bool is_through_defaults = false;
template <class X>
inline constexpr bool is_through_defaults<ThroughDefaults<X>> = true;

// The primary keys of add()'s arguments: objects of T, keys, or ranges of either.
template <class T, class A>
void append_keys(std::vector<Value>& keys, const A& item) {
    if constexpr (is_through_defaults<A>) {
        // not a key
    } else if constexpr (std::is_base_of_v<T, A>) {
        const ModelInfo& info = model_info<T>();
        if (primary_key_unset(info, info.ops, static_cast<const T*>(&item))) {
            throw_unsaved_related(info);
        }
        keys.push_back(field_value(info.ops, static_cast<const T*>(&item), info.primary_key));
    } else if constexpr (is_value_range<A>) {
        for (const auto& element : item) {
            append_keys<T>(keys, element);
        }
    } else {
        keys.push_back(query_value(item));
    }
}

}  // namespace detail

template <class T>
class RelatedManager {
public:
    // cache: the owner's member, whose prefetch cache of this relation (if any) serves reads and
    // is reset by writes (nullptr: none).
    RelatedManager(Database& db, RelationLink link, Value owner, detail::MemberState<std::vector<T>>* cache = nullptr)
        : db_(&db), link_(std::make_shared<const RelationLink>(std::move(link))), owner_(std::move(owner)), cache_(cache) {
        detail::check_owner(*link_, owner_);
    }

    const RelationLink& link() const noexcept { return *link_; }
    Database& database() const noexcept { return *db_; }

    // Every related object, lazily (filter it, order it, count it in SQL).
    QuerySet<T> query() const { return QuerySet<T>(*db_, detail::related_query(Query(model_info<T>()), *link_, owner_)); }

    // The related objects: the prefetch cache when there is one, else one query.
    std::vector<T> all() const { return cached() ? *cache_->cache() : query().to_vector(); }
    std::int64_t count() const {
        return cached() ? static_cast<std::int64_t>(cache_->cache()->size()) : query().count();
    }
    bool exists() const { return cached() ? !cache_->cache()->empty() : query().exists(); }
    // Whether all(), count() and exists() are served without a query.
    bool cached() const noexcept { return cache_ != nullptr && cache_->cache() != nullptr; }

    template <class... A>
    QuerySet<T> filter(const A&... a) const {
        return query().filter(a...);
    }
    template <class... A>
    QuerySet<T> exclude(const A&... a) const {
        return query().exclude(a...);
    }
    template <class... A>
    QuerySet<T> order_by(const A&... a) const {
        return query().order_by(a...);
    }

    // Creates an object related to the owner: its ForeignKey set to it, or, on a ManyToMany,
    // created and then added (with the through defaults given, if any). One transaction.
    template <class... D>
    T create(T object, const D&... through) const {
        return db_->transaction([&] {
            if (!link_->through_junction()) {
                const std::size_t column = static_cast<std::size_t>(link_->to_column - link_->to->columns.data());
                set_field(object, column, owner_);
                return db_->create(std::move(object));
            }
            T created = db_->create(std::move(object));
            add(created, through...);
            return created;
        });
    }

    // Relates objects or keys (or ranges of them) to the owner; already related ones are left.
    template <class... A>
    void add(const A&... items) const {
        std::vector<Value> keys;
        (detail::append_keys<T>(keys, items), ...);
        if constexpr ((detail::is_through_defaults<A> || ...)) {
            add_through(keys, items...);
        } else {
            detail::related_add(*db_, *link_, owner_, keys);
        }
        forget_cache();
    }

    template <class... A>
    void remove(const A&... items) const {
        std::vector<Value> keys;
        (detail::append_keys<T>(keys, items), ...);
        detail::related_remove(*db_, *link_, owner_, keys);
        forget_cache();
    }

    void clear() const {
        detail::related_clear(*db_, *link_, owner_);
        forget_cache();
    }

    // Makes exactly `items` related: removes the others, adds the missing (one transaction). On a
    // reverse ForeignKey that cannot be NULL, the others stay (as Django's).
    template <class R, class... D>
    void set(const R& items, const D&... through) const {
        std::vector<Value> wanted;
        detail::append_keys<T>(wanted, items);
        db_->transaction([&] {
            const std::vector<Value> current = detail::related_keys(*db_, *link_, owner_);
            const std::vector<Value> gone = detail::key_difference(current, wanted);
            // A reverse ForeignKey that cannot be NULL only adds (Django's set() does the same).
            const bool can_remove = link_->through_junction() || link_->relation->null;
            if (can_remove && !gone.empty()) {
                detail::related_remove(*db_, *link_, owner_, gone);
            }
            add(detail::key_difference(wanted, current), through...);
        });
        forget_cache();
    }

private:
    void forget_cache() const {
        if (cache_ != nullptr) {
            cache_->reset_cache();
        }
    }

    template <class... A>
    void add_through(const std::vector<Value>& keys, const A&... items) const {
        const auto& defaults = std::get<0>(std::tuple_cat(pick_defaults(items)...));
        using Through = std::remove_cvref_t<decltype(defaults)>;
        const ModelInfo& info = model_info<Through>();
        if (!link_->through_junction() || link_->junction != info.table) {
            throw UsageError("covet: " + link_->name + ": through_defaults(" + info.name +
                             ") given, but the relation's junction table is " + link_->junction);
        }
        const std::size_t from = detail::through_column(info, link_->junction_from);
        const std::size_t to = detail::through_column(info, link_->junction_to);
        db_->transaction([&] {
            for (const Value& key : detail::unrelated_keys(*db_, *link_, owner_, keys)) {
                Through row = defaults;
                set_field(row, from, owner_);
                set_field(row, to, key);
                db_->create(std::move(row));
            }
        });
    }
    template <class A>
    static auto pick_defaults(const A& item) {
        if constexpr (detail::is_through_defaults<A>) {
            return std::tuple<const decltype(item.value)&>(item.value);
        } else {
            return std::tuple<>();
        }
    }

    Database* db_;
    std::shared_ptr<const RelationLink> link_;
    Value owner_;
    detail::MemberState<std::vector<T>>* cache_;
};

}  // namespace covet
