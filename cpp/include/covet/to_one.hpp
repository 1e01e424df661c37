// What covet::ForeignKey and covet::OneToOne share (foreign_key.hpp, one_to_one.hpp): a member that
// is a column holding the related object's key, plus that object, loaded lazily and cached.
//
//   Book b = db.get<Book>(1);
//   b.author.id();               // the key: no query
//   b.author->name;              // loads the Author on first access (one query), then cached
//   b.author = other_author;     // sets the key and the cache; db.save(b) writes the key
//   b.author = 7;                // sets the key; the cache is dropped
//   b.parent = std::nullopt;     // nullable relations only
//
// The object is loaded from the Database the holding object was read from (or saved to); if that
// Database has been destroyed, access throws covet::Error instead of touching freed memory. An
// object built by hand has none: use get(db). Copying the holder copies the cached object.
#pragma once

#include <covet/error.hpp>
#include <covet/member_state.hpp>
#include <covet/model.hpp>
#include <covet/relation_link.hpp>
#include <covet/relation_options.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace covet {

class Database;

namespace detail {

template <class T, RelationOptions O, class K, RelationKind Kind>
class ToOne {
    static_assert(O.on_delete != OnDelete::Unset,
                  "covet: a ForeignKey / OneToOne needs .on_delete, as in Django: {.on_delete = covet::Cascade}");
    static_assert(O.on_delete != OnDelete::SetNull || O.null, "covet: on_delete = covet::SetNull needs .null = true");
    static_assert(O.on_delete != OnDelete::SetDefault || O.default_key.kind != DefaultKey::Kind::None,
                  "covet: on_delete = covet::SetDefault needs .default_key");

public:
    using covet_relation_column = void;
    using target_type = T;
    using key_type = std::conditional_t<O.null, std::optional<K>, K>;
    static constexpr RelationOptions options = O;
    static constexpr RelationKind kind = Kind;

    ToOne() = default;
    ToOne(key_type key) : key_(std::move(key)) {}  // NOLINT: Book{.author = 7}
    ToOne(const T& object) { assign_object(object); }  // NOLINT: Book{.author = ann}
    ToOne(std::nullopt_t) requires(O.null) {}  // NOLINT: Category{.parent = std::nullopt}
    ToOne(const ToOne&) = default;
    ToOne(ToOne&&) noexcept = default;
    ToOne& operator=(const ToOne& other) {  // all or nothing: the key never pairs with another cache
        if (this != &other) {
            ToOne copy(other);
            *this = std::move(copy);
        }
        return *this;
    }
    ToOne& operator=(ToOne&&) noexcept = default;
    ~ToOne() = default;

    ToOne& operator=(const T& object) {
        assign_object(object);
        return *this;
    }
    ToOne& operator=(key_type key) {
        assign_key(std::move(key));
        return *this;
    }
    ToOne& operator=(std::nullopt_t) requires(O.null) {
        assign_key(std::nullopt);
        return *this;
    }

    // The key, read without a query.
    const key_type& id() const noexcept { return key_; }
    // The key is not NULL (always true for a non-nullable relation).
    bool has_value() const noexcept {
        if constexpr (O.null) {
            return key_.has_value();
        } else {
            return true;
        }
    }
    explicit operator bool() const noexcept { return has_value(); }
    // The related object is loaded (no query to read it).
    bool is_cached() const noexcept { return state_.cache() != nullptr; }

    // The related object: loaded on first access from the holder's Database, then cached.
    // A NULL key throws covet::Error; a key no row has, covet::RelatedObjectDoesNotExist.
    const T& operator*() const { return load(); }
    T& operator*() { return load(); }
    const T* operator->() const { return &load(); }
    T* operator->() { return &load(); }
    // The same, loading from db when nothing is cached.
    T& get(Database& db) {
        if (T* cached = state_.cache()) return *cached;
        return load_from(db);
    }

    // Forgets the cached object (the next access queries again).
    void reset() noexcept { state_.reset_cache(); }

    // Sets the key; the cached object is dropped when it has another key.
    void assign_key(key_type key) {
        if (!(key == key_)) {
            state_.reset_cache();
            key_ = std::move(key);
        }
    }

private:
    static const Column& target_column() { return key_column(model_info<T>(), O.to_field.view()); }
    static constexpr std::string_view kind_name() { return Kind == RelationKind::OneToOne ? "OneToOne" : "ForeignKey"; }
    std::string label() const { return member_label(state_.owner(), state_.member(), kind_name(), model_info<T>()); }

    Value key_value() const { return field_traits<key_type>::to_value(key_); }

    void assign_object(const T& object) {
        const ModelInfo& target = model_info<T>();
        const auto column = static_cast<std::size_t>(&target_column() - target.columns.data());
        key_type key = field_traits<key_type>::from_value(field_value(target.ops, &object, column));
        state_.emplace_cache(object);  // first: it may throw
        key_ = std::move(key);
    }

    T& load() const {
        if (T* cached = state_.cache()) return *cached;
        if (!has_value()) {
            throw_null_relation(label(), model_info<T>());
        }
        Database* db = state_.db().get();  // the label only for the error: this runs on every lazy load
        return load_from(db != nullptr ? *db : relation_database(state_.db(), label()));
    }

    // Reads the object into a new cache, dropped again when there is no such row.
    T& load_from(Database& db) const {
        if (!has_value()) {
            throw_null_relation(label(), model_info<T>());
        }
        T& object = state_.emplace_cache();
        try {
            load_object(db, model_info<T>(), target_column(), key_value(), &object, state_.origin(), state_.owner(),
                        state_.member(), kind_name());
        } catch (...) {
            state_.reset_cache();
            throw;
        }
        return object;
    }

    static void describe(ModelInfo& info, std::string_view field, std::size_t member) {
        describe_to_one(info, field, member, Kind, O, &model_info<T>);
    }
    static void attach(void* self, const Attachment& a, std::size_t member) {
        static_cast<ToOne*>(self)->state_.attach(a.from[member]);
    }
    static void* fill_one(void* self) {
        auto& state = static_cast<ToOne*>(self)->state_;
        T* cached = state.cache();
        return cached != nullptr ? cached : &state.emplace_cache();
    }
    static void set_none(void* self) { static_cast<ToOne*>(self)->state_.reset_cache(); }
    static void* cached_one(void* self) { return static_cast<ToOne*>(self)->state_.cache(); }
    static void before_save(void* self, const ModelInfo& owner, const Relation& relation) {
        auto& m = *static_cast<ToOne*>(self);
        const T* cached = m.state_.cache();
        if (cached == nullptr || !key_unset(m.key_)) {
            return;
        }
        const ModelInfo& target = model_info<T>();
        if (primary_key_unset(target, target.ops, cached)) {
            throw ValidationError("covet: save() prohibited: " + owner.name + "." + relation.field + " is an unsaved " +
                                  target.name + " (save it first)");
        }
        const auto column = static_cast<std::size_t>(&target_column() - target.columns.data());
        m.key_ = field_traits<key_type>::from_value(field_value(target.ops, cached, column));
    }

    key_type key_{};
    mutable MemberState<T> state_;  // where its object came from, and the related object once loaded

public:
    static constexpr RelationOps relation_ops{
        RelationOps::Role::ToOne,
        &describe,
        &attach,
        &fill_one,
        &set_none,
        &cached_one,
        nullptr,
        nullptr,
        nullptr,
        nullptr,
        &before_save,
    };
};

}  // namespace detail
}  // namespace covet
