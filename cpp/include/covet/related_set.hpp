// What covet::ManyToMany and covet::ReverseMany members share: the related manager of the object
// that holds them, and the cache prefetch_related fills. Every manager method is available
// directly on the member, with or without the Database as first argument:
//
//   b.categories.all();              // the Database b was read from / saved to
//   b.categories.add(db, fiction, 7);
//   ann.books.filter("pages__gte", 200);
//   for (const Book& x : ann.books)  // a range: the prefetch cache in place (all() copies it)
//
// The member knows its owner's key once the owner has been read or saved; before that, using it
// throws covet::UsageError (Django: "needs to have a value for field id"). Copying the owner
// copies the cache.
#pragma once

#include <covet/member_state.hpp>
#include <covet/model.hpp>
#include <covet/related_manager.hpp>
#include <covet/relation_link.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace covet::detail {

// The link of a many member: forward (ManyToMany) or a declared reverse side (ReverseMany).
// UsageError when the member's owner is unknown (never read or saved).
RelationLink member_link(const ModelInfo* owner, std::size_t member, bool reverse, const ModelInfo& target,
                         std::string_view kind);

// One query for a many member without a prefetch cache, for the N+1 guard.
void note_many_lazy_load(Database& db, std::uint64_t origin, const std::string& label);

template <class T, bool Reverse>
class RelatedSet {
public:
    using covet_relation_only = void;
    using target_type = T;

    RelatedSet() = default;
    RelatedSet(const RelatedSet&) = default;
    RelatedSet(RelatedSet&&) noexcept = default;
    RelatedSet& operator=(const RelatedSet& other) {  // all or nothing: the key never pairs with another cache
        if (this != &other) {
            RelatedSet copy(other);
            *this = std::move(copy);
        }
        return *this;
    }
    RelatedSet& operator=(RelatedSet&&) noexcept = default;
    ~RelatedSet() = default;

    // The manager on the owner's Database, or on db.
    RelatedManager<T> manager() const {
        RelationLink l = link();  // first: an object never read or saved has no owner key either
        return RelatedManager<T>(database(), std::move(l), owner_key_.value(), &state_);
    }
    RelatedManager<T> manager(Database& db) const {
        return RelatedManager<T>(db, link(), owner_key_.value(), &state_);
    }

    QuerySet<T> query() const { return manager().query(); }
    // all(), count() and exists() read the prefetch cache when there is one; otherwise they query
    // (a lazy load, counted by the N+1 guard).
    // A prefetched member answers without building its manager (a RelationLink per call).
    std::vector<T> all() const { return state_.cache() ? *prefetched() : lazy().all(); }
    std::vector<T> all(Database& db) const { return manager(db).all(); }
    // The member is a range of the related objects: a prefetched member is read in place (no copy
    // of the objects, unlike all()), one without a prefetch cache streams the rows of query() (a
    // lazy load, as all()). Writing to the relation (add, remove, ...) while iterating its cache
    // invalidates the iteration, as for a std::vector.
    //   for (const Book& b : author.books) ...
    RowIterator<T> begin() const {
        if (state_.cache()) {
            // A view of the cache: the iterator shares no ownership of it (the member keeps it).
            return RowIterator<T>(std::shared_ptr<std::vector<T>>(std::shared_ptr<void>(), prefetched()));
        }
        return lazy().query().begin();
    }
    std::default_sentinel_t end() const noexcept { return {}; }
    std::int64_t count() const {
        return state_.cache() ? static_cast<std::int64_t>(prefetched()->size()) : lazy().count();
    }
    std::int64_t count(Database& db) const { return manager(db).count(); }
    bool exists() const { return state_.cache() ? !prefetched()->empty() : lazy().exists(); }
    bool exists(Database& db) const { return manager(db).exists(); }
    void clear() const { manager().clear(); }
    void clear(Database& db) const { manager(db).clear(); }

    template <class... A>
    QuerySet<T> filter(const A&... a) const {
        return manager().filter(a...);
    }
    template <class... A>
    QuerySet<T> exclude(const A&... a) const {
        return manager().exclude(a...);
    }
    template <class... A>
    QuerySet<T> order_by(const A&... a) const {
        return manager().order_by(a...);
    }
    template <class... A>
    T create(A&&... a) const {
        return with_manager([](const RelatedManager<T>& m, const auto&... rest) { return m.create(rest...); }, a...);
    }
    template <class... A>
    void add(A&&... a) const {
        with_manager([](const RelatedManager<T>& m, const auto&... rest) { m.add(rest...); }, a...);
    }
    template <class... A>
    void remove(A&&... a) const {
        with_manager([](const RelatedManager<T>& m, const auto&... rest) { m.remove(rest...); }, a...);
    }
    template <class... A>
    void set(A&&... a) const {
        with_manager([](const RelatedManager<T>& m, const auto&... rest) { m.set(rest...); }, a...);
    }

    // Whether prefetch_related filled the cache (all(), count() and exists() run no query).
    bool is_cached() const noexcept { return state_.cache() != nullptr; }
    // Whether its object has been read or saved (so that the member knows its owner's key).
    bool attached() const noexcept { return state_.attached(); }

protected:
    RelatedManager<T> lazy() const {
        RelatedManager<T> m = manager();
        if (!state_.cache() && m.database().guards_lazy_loads()) {
            note_many_lazy_load(m.database(), state_.origin(), label());
        }
        return m;
    }

    // The prefetch cache (non-null), read only while the owner's Database is open: as an
    // unprefetched read, a closed one is a covet::Error.
    std::vector<T>* prefetched() const {
        if (!state_.db().alive()) static_cast<void>(database());  // throws
        return state_.cache();
    }

    // The Database the owner was read from or saved to; the label is built only for the error.
    Database& database() const {
        if (Database* db = state_.db().get()) return *db;
        return relation_database(state_.db(), label());
    }

    // The manager's label in messages: "Book.categories" once attached.
    std::string label() const {
        return member_label(state_.owner(), state_.member(), Reverse ? "ReverseMany" : "ManyToMany", model_info<T>());
    }
    RelationLink link() const {
        return member_link(state_.owner(), state_.member(), Reverse, model_info<T>(),
                           Reverse ? "ReverseMany" : "ManyToMany");
    }

    template <class F, class... A>
    decltype(auto) with_manager(F f, A&... a) const {
        if constexpr (sizeof...(A) > 0) {
            return first_is_database(f, a...);
        } else {
            return f(manager());
        }
    }
    template <class F, class First, class... Rest>
    decltype(auto) first_is_database(F f, First& first, Rest&... rest) const {
        if constexpr (std::is_same_v<std::remove_cvref_t<First>, Database>) {
            return f(manager(first), rest...);
        } else {
            return f(manager(), first, rest...);
        }
    }

    static void attach(void* self, const Attachment& a, std::size_t member) {
        auto& m = *static_cast<RelatedSet*>(self);
        m.state_.attach(a.from[member]);
        m.owner_key_ = a.owner_key;
        m.state_.reset_cache();  // another object (or the same one read again)
    }
    static void start_list(void* self) { static_cast<RelatedSet*>(self)->state_.emplace_cache(); }
    static void* append(void* self, std::size_t expected) {
        auto& cache = *static_cast<RelatedSet*>(self)->state_.cache();
        if (cache.capacity() == 0) cache.reserve(expected);
        return &cache.emplace_back();
    }
    static std::size_t list_size(void* self) {
        const std::vector<T>* cache = static_cast<RelatedSet*>(self)->state_.cache();
        return cache ? cache->size() : 0;
    }
    static void* list_at(void* self, std::size_t i) { return &(*static_cast<RelatedSet*>(self)->state_.cache())[i]; }

    OwnerKey owner_key_;
    mutable MemberState<std::vector<T>> state_;  // where its object came from, and the prefetch cache
};

}  // namespace covet::detail
