// Where a relation member came from: the Database to load from, the model and member it is, and
// the query evaluation (the N+1 guard's origin). The Provenances of one model's relation members
// are made once per query evaluation (or run of saves), in one block with one reference count,
// and shared by every object it produced: telling a member where it came from
// (RelationOps::attach, model.hpp) is one pointer store, not a copy of each part into each member
// of each object.
#pragma once

#include <covet/database_ref.hpp>
#include <covet/value.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace covet {

struct ModelInfo;

namespace detail {

struct ProvenanceBlock;

struct Provenance {
    DatabaseRef db;                    // the Database the objects were read from or saved to
    const ModelInfo* owner = nullptr;  // the model of the objects (the members' owner)
    std::size_t member = 0;            // which of its relation members (ModelOps::relations)
    std::uint64_t origin = 0;          // the query evaluation that produced them (0: none)
    ProvenanceBlock* block = nullptr;  // the block holding it, whose count keeps it alive
};

// One model's Provenances for one query evaluation, in ModelOps::relations order, counted by the
// members that point into it and the Provenances handles. The count is atomic: objects (and their
// members) may be copied and destroyed on other threads than the Database's.
struct ProvenanceBlock {
    std::atomic<std::size_t> refs{1};
    std::vector<Provenance> members;
};

void destroy(ProvenanceBlock* block) noexcept;  // out of line: the rare end of a block, off the hot paths

inline void retain(ProvenanceBlock* block) noexcept { block->refs.fetch_add(1, std::memory_order_relaxed); }
inline void release(ProvenanceBlock* block) noexcept {
    if (block->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(block);
}
inline void retain(const Provenance* p) noexcept { retain(p->block); }
inline void release(const Provenance* p) noexcept { release(p->block); }

// A counted handle on a ProvenanceBlock: what a query evaluation holds while it attaches objects.
class Provenances {
public:
    Provenances() = default;
    explicit Provenances(ProvenanceBlock* adopted) noexcept : block_(adopted) {}  // takes its count
    Provenances(const Provenances& o) noexcept : block_(o.block_) {
        if (block_ != nullptr) retain(block_);
    }
    Provenances(Provenances&& o) noexcept : block_(std::exchange(o.block_, nullptr)) {}
    Provenances& operator=(Provenances o) noexcept {
        std::swap(block_, o.block_);
        return *this;
    }
    ~Provenances() {
        if (block_ != nullptr) release(block_);
    }

    bool empty() const noexcept { return block_ == nullptr; }
    // The Provenance of relation member `member` (the block is not empty).
    const Provenance* operator[](std::size_t member) const noexcept { return &block_->members[member]; }

private:
    ProvenanceBlock* block_ = nullptr;
};

// The Provenances of every relation member of `owner`, in ModelOps::relations order.
Provenances provenances(const DatabaseRef& db, const ModelInfo& owner, std::uint64_t origin);

// An object's primary key as the relation members that need it keep it, in one word: an integer
// in [-2^62, 2^62) in place (shifted, tagged by its low bit), any other value on the heap, NULL
// (before attach) as 0. 8 bytes where a Value takes 40, and no allocation for the usual key.
class OwnerKey {
public:
    OwnerKey() = default;
    explicit OwnerKey(std::int64_t key) : word_(fits(key) ? tagged(key) : owned(Value{key})) {}
    explicit OwnerKey(const Value& key) {
        const auto* integer = std::get_if<std::int64_t>(&key);
        if (integer != nullptr && fits(*integer)) word_ = tagged(*integer);
        else if (!std::holds_alternative<std::nullptr_t>(key)) word_ = owned(key);
    }
    OwnerKey(const OwnerKey& o) : word_(o.owns() ? owned(*o.other()) : o.word_) {}
    OwnerKey(OwnerKey&& o) noexcept : word_(std::exchange(o.word_, 0)) {}
    OwnerKey& operator=(const OwnerKey& o) {
        if (!owns() && !o.owns()) {
            word_ = o.word_;  // the usual: integers (or NULL), inline on every attach
        } else if (this != &o) {
            const std::uintptr_t word = o.owns() ? owned(*o.other()) : o.word_;  // first: it may throw
            release();
            word_ = word;
        }
        return *this;
    }
    OwnerKey& operator=(OwnerKey&& o) noexcept {
        if (this != &o) {
            release();
            word_ = std::exchange(o.word_, 0);
        }
        return *this;
    }
    ~OwnerKey() { release(); }

    Value value() const {
        if (is_integer()) return Value{integer()};
        return word_ == 0 ? Value{} : *other();
    }
    bool operator==(const OwnerKey& o) const {
        if (word_ == o.word_) return true;
        return owns() && o.owns() && *other() == *o.other();  // an integer has one form only
    }

private:
    static constexpr std::int64_t limit = std::int64_t{1} << 62;
    static bool fits(std::int64_t key) noexcept { return key >= -limit && key < limit; }
    static std::uintptr_t tagged(std::int64_t key) noexcept { return (static_cast<std::uintptr_t>(key) << 1) | 1; }
    static std::uintptr_t owned(const Value& key) {
        static_assert(alignof(Value) > 1);  // the tag bit is free
        return reinterpret_cast<std::uintptr_t>(new Value(key));
    }
    static void destroy(const Value* key) noexcept;  // out of line, as owned keys are rare
    bool is_integer() const noexcept { return (word_ & 1) != 0; }
    std::int64_t integer() const noexcept { return static_cast<std::int64_t>(word_) >> 1; }
    const Value* other() const noexcept { return reinterpret_cast<const Value*>(word_); }
    bool owns() const noexcept { return word_ != 0 && !is_integer(); }
    void release() noexcept {
        if (owns()) destroy(other());
    }

    std::uintptr_t word_ = 0;
};

}  // namespace detail
}  // namespace covet
