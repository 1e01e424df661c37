// covet::ReverseOne<T>: the declared reverse side of a OneToOne of model T to this model (Django's
// `author.profile`). Loaded lazily on first access and cached; select_related and
// prefetch_related fill it without a query.
//
//   struct Author { std::int64_t id = 0; std::string name; covet::ReverseOne<Profile> profile; };
//   ann.profile->bio;                          // RelatedObjectDoesNotExist if Ann has no profile
//   std::optional<Profile> p = ann.profile.optional();
//   for (const Book& b : db.objects<Book>().select_related("author__profile")) b.author->profile->bio;
#pragma once

#include <covet/error.hpp>
#include <covet/member_state.hpp>
#include <covet/model.hpp>
#include <covet/relation_link.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

namespace covet {

class Database;

namespace detail {
// Loads the reverse OneToOne object of a member into `object`; false when there is none.
bool load_reverse_one(Database& db, const ModelInfo* owner, std::size_t member, const Value& owner_key, void* object,
                      std::uint64_t origin);
[[noreturn]] void throw_no_reverse_one(const ModelInfo* owner, std::size_t member, const ModelInfo& target,
                                       const Value& owner_key);
}  // namespace detail

template <class T>
class ReverseOne {
public:
    using covet_relation_only = void;
    using target_type = T;

    ReverseOne() = default;
    ReverseOne(const ReverseOne&) = default;
    ReverseOne(ReverseOne&&) noexcept = default;
    ReverseOne& operator=(const ReverseOne& other) {  // all or nothing: the key never pairs with another cache
        if (this != &other) {
            ReverseOne copy(other);
            *this = std::move(copy);
        }
        return *this;
    }
    ReverseOne& operator=(ReverseOne&&) noexcept = default;
    ~ReverseOne() = default;

    // The related object (loaded on first access); RelatedObjectDoesNotExist when there is none.
    const T& operator*() const { return get(); }
    const T* operator->() const { return &get(); }
    const T& get() const { return get(database()); }
    const T& get(Database& db) const {
        if (!load(db)) {
            detail::throw_no_reverse_one(state_.owner(), state_.member(), model_info<T>(), owner_key_.value());
        }
        return **state_.cache();
    }
    // The object, or nullopt when there is none.
    std::optional<T> optional() const { return optional(database()); }
    std::optional<T> optional(Database& db) const {
        return load(db) ? *state_.cache() : std::nullopt;
    }
    // Whether there is one (a query unless loaded or known).
    bool has_value() const { return load(database()); }
    // Loaded or known absent: reading it runs no query.
    bool is_cached() const noexcept { return state_.cache() != nullptr; }
    void reset() noexcept { state_.reset_cache(); }

private:
    std::string label() const {
        return detail::member_label(state_.owner(), state_.member(), "ReverseOne", model_info<T>());
    }
    // The Database to load from; the label is built only for the error (this runs on every read).
    Database& database() const {
        if (Database* db = state_.db().get()) return *db;
        return detail::relation_database(state_.db(), label());
    }

    // Whether there is an object, loaded into the cache (or known absent) on first use.
    bool load(Database& db) const {
        if (const std::optional<T>* cached = state_.cache()) return cached->has_value();
        std::optional<T>& object = state_.emplace_cache(std::in_place);
        try {
            if (!detail::load_reverse_one(db, state_.owner(), state_.member(), owner_key_.value(), &*object,
                                          state_.origin())) {
                object.reset();  // known absent
            }
        } catch (...) {
            state_.reset_cache();
            throw;
        }
        return object.has_value();
    }

    static void describe(ModelInfo& info, std::string_view field, std::size_t member) {
        detail::describe_reverse(info, field, member, true, &model_info<T>);
    }
    static void attach(void* self, const detail::Attachment& a, std::size_t member) {
        auto& m = *static_cast<ReverseOne*>(self);
        m.state_.attach(a.from[member]);
        if (!(m.owner_key_ == a.owner_key)) {
            m.owner_key_ = a.owner_key;
            m.reset();
        }
    }
    static void* fill_one(void* self) {
        auto& state = static_cast<ReverseOne*>(self)->state_;
        std::optional<T>* cached = state.cache();
        if (cached == nullptr) return &*state.emplace_cache(std::in_place);
        if (!cached->has_value()) cached->emplace();
        return &**cached;
    }
    static void set_none(void* self) { static_cast<ReverseOne*>(self)->state_.emplace_cache(); }
    static void* cached_one(void* self) {
        std::optional<T>* cached = static_cast<ReverseOne*>(self)->state_.cache();
        return cached != nullptr && cached->has_value() ? &**cached : nullptr;
    }

    detail::OwnerKey owner_key_;
    // Where its object came from, and once loaded the related object or nullopt (known absent).
    mutable detail::MemberState<std::optional<T>> state_;

public:
    static constexpr detail::RelationOps relation_ops{
        detail::RelationOps::Role::ReverseOne, &describe, &attach, &fill_one, &set_none, &cached_one,
        nullptr,                               nullptr,   nullptr, nullptr,   nullptr,
    };
};

}  // namespace covet
