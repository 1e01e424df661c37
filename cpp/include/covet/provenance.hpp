// Where a relation member came from: the Database to load from, the model and member it is, and
// the query evaluation (the N+1 guard's origin). One Provenance per relation member of a model is
// shared by every object a query evaluation (or a run of saves) produced, so that telling a member
// where it came from (RelationOps::attach, model.hpp) is one pointer store, not a copy of each part
// into each member of each object.
#pragma once

#include <covet/database_ref.hpp>
#include <covet/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace covet {

struct ModelInfo;

namespace detail {

struct Provenance {
    DatabaseRef db;                    // the Database the objects were read from or saved to
    const ModelInfo* owner = nullptr;  // the model of the objects (the members' owner)
    std::size_t member = 0;            // which of its relation members (ModelOps::relations)
    std::uint64_t origin = 0;          // the query evaluation that produced them (0: none)
};

// The Provenances of every relation member of `owner`, in ModelOps::relations order.
using Provenances = std::vector<std::shared_ptr<const Provenance>>;
Provenances provenances(const DatabaseRef& db, const ModelInfo& owner, std::uint64_t origin);

// What a relation member knows once its object has been read or saved. Empty before.
class Attached {
public:
    void attach(const std::shared_ptr<const Provenance>& from) {
        if (from_ != from) from_ = from;  // an object read again by the same evaluation: no count touched
    }
    bool attached() const noexcept { return from_ != nullptr; }
    // The Database (an empty reference before the object was read or saved).
    const DatabaseRef& db() const noexcept {
        static const DatabaseRef none;
        return from_ ? from_->db : none;
    }
    const ModelInfo* owner() const noexcept { return from_ ? from_->owner : nullptr; }
    std::size_t member() const noexcept { return from_ ? from_->member : 0; }
    std::uint64_t origin() const noexcept { return from_ ? from_->origin : 0; }

private:
    std::shared_ptr<const Provenance> from_;
};

// An object's primary key as the relation members that need it keep it: an integer in place (the
// usual key), any other value on the heap, NULL (before attach) as neither. 16 bytes where a Value
// takes 40, and no allocation for an integer key.
class OwnerKey {
public:
    OwnerKey() = default;
    explicit OwnerKey(std::int64_t key) : integer_(key), other_(integer_key) {}
    explicit OwnerKey(const Value& key) {
        if (const auto* integer = std::get_if<std::int64_t>(&key)) {
            integer_ = *integer;
            other_ = integer_key;
        } else {
            other_ = owned(key);
        }
    }
    OwnerKey(const OwnerKey& o) : integer_(o.integer_), other_(o.owns() ? owned(*o.other()) : o.other_) {}
    OwnerKey(OwnerKey&& o) noexcept : integer_(o.integer_), other_(std::exchange(o.other_, null_key)) {}
    OwnerKey& operator=(const OwnerKey& o) {
        if (this != &o) {
            const std::uintptr_t other = o.owns() ? owned(*o.other()) : o.other_;  // first: it may throw
            release();
            integer_ = o.integer_;
            other_ = other;
        }
        return *this;
    }
    OwnerKey& operator=(OwnerKey&& o) noexcept {
        if (this != &o) {
            release();
            integer_ = o.integer_;
            other_ = std::exchange(o.other_, null_key);
        }
        return *this;
    }
    ~OwnerKey() { release(); }

    Value value() const {
        if (other_ == integer_key) return Value{integer_};
        return other_ == null_key ? Value{} : *other();
    }
    bool operator==(const OwnerKey& o) const {
        if (other_ == integer_key && o.other_ == integer_key) return integer_ == o.integer_;
        return value() == o.value();
    }

private:
    // other_: integer_key when the key is integer_, null_key when it is NULL, else an owned Value.
    static constexpr std::uintptr_t integer_key = 0, null_key = 1;
    static std::uintptr_t owned(const Value& key) { return reinterpret_cast<std::uintptr_t>(new Value(key)); }
    const Value* other() const noexcept { return reinterpret_cast<const Value*>(other_); }
    bool owns() const noexcept { return other_ > null_key; }
    void release() noexcept {
        if (owns()) delete other();
    }

    std::int64_t integer_ = 0;
    std::uintptr_t other_ = null_key;
};

}  // namespace detail
}  // namespace covet
