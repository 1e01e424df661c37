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
#include <covet/model.hpp>
#include <covet/provenance.hpp>
#include <covet/relation_link.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
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
    ReverseOne(const ReverseOne& other)
        : from_(other.from_),
          owner_key_(other.owner_key_),
          cache_(other.cache_ ? std::make_unique<T>(*other.cache_) : nullptr),
          absent_(other.absent_) {}
    ReverseOne(ReverseOne&&) noexcept = default;
    ReverseOne& operator=(const ReverseOne& other) {
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
            detail::throw_no_reverse_one(from_.owner(), from_.member(), model_info<T>(), owner_key_.value());
        }
        return *cache_;
    }
    // The object, or nullopt when there is none.
    std::optional<T> optional() const { return optional(database()); }
    std::optional<T> optional(Database& db) const {
        return load(db) ? std::optional<T>(*cache_) : std::nullopt;
    }
    // Whether there is one (a query unless loaded or known).
    bool has_value() const { return load(database()); }
    // Loaded or known absent: reading it runs no query.
    bool is_cached() const noexcept { return cache_ != nullptr || absent_; }
    void reset() noexcept {
        cache_.reset();
        absent_ = false;
    }

private:
    std::string label() const {
        return detail::member_label(from_.owner(), from_.member(), "ReverseOne", model_info<T>());
    }
    // The Database to load from; the label is built only for the error (this runs on every read).
    Database& database() const {
        if (Database* db = from_.db().get()) return *db;
        return detail::relation_database(from_.db(), label());
    }

    bool load(Database& db) const {
        if (cache_) return true;
        if (absent_) return false;
        auto object = std::make_unique<T>();
        if (detail::load_reverse_one(db, from_.owner(), from_.member(), owner_key_.value(), object.get(),
                                     from_.origin())) {
            cache_ = std::move(object);
            return true;
        }
        absent_ = true;
        return false;
    }

    static void describe(ModelInfo& info, std::string_view field, std::size_t member) {
        detail::describe_reverse(info, field, member, true, &model_info<T>);
    }
    static void attach(void* self, const detail::Attachment& a, std::size_t member) {
        auto& m = *static_cast<ReverseOne*>(self);
        m.from_.attach(a.from[member]);
        if (!(m.owner_key_ == a.owner_key)) {
            m.owner_key_ = a.owner_key;
            m.reset();
        }
    }
    static void* fill_one(void* self) {
        auto& m = *static_cast<ReverseOne*>(self);
        m.absent_ = false;
        if (!m.cache_) {
            m.cache_ = std::make_unique<T>();
        }
        return m.cache_.get();
    }
    static void set_none(void* self) {
        auto& m = *static_cast<ReverseOne*>(self);
        m.cache_.reset();
        m.absent_ = true;
    }
    static void* cached_one(void* self) { return static_cast<ReverseOne*>(self)->cache_.get(); }

    detail::Attached from_;
    detail::OwnerKey owner_key_;
    mutable std::unique_ptr<T> cache_;
    mutable bool absent_ = false;

public:
    static constexpr detail::RelationOps relation_ops{
        detail::RelationOps::Role::ReverseOne, &describe, &attach, &fill_one, &set_none, &cached_one,
        nullptr,                               nullptr,   nullptr, nullptr,   nullptr,
    };
};

}  // namespace covet
