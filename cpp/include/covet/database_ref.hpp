// covet::DatabaseRef: a non-owning handle to a Database that knows when the Database is gone.
// Relation fields reach one (through the Provenance their objects share, provenance.hpp) so that
// a lazy load after the Database was destroyed is a clear covet::Error instead of a dangling
// pointer.
#pragma once

#include <memory>
#include <utility>

namespace covet {

class Database;

class DatabaseRef {
public:
    DatabaseRef() = default;

    // The Database, or nullptr when there is none (never attached) or it has been destroyed.
    Database* get() const noexcept {
        const std::shared_ptr<Database* const> alive = ref_.lock();
        return alive ? *alive : nullptr;
    }
    // The Database still exists (false when never attached): a check that, unlike get(), touches
    // no reference count.
    bool alive() const noexcept { return !ref_.expired(); }
    // Never attached to a Database (as opposed to attached to one that has been destroyed).
    bool empty() const noexcept { return same(DatabaseRef{}); }
    // Refers to the same Database (compares without touching reference counts).
    bool same(const DatabaseRef& other) const noexcept {
        return !ref_.owner_before(other.ref_) && !other.ref_.owner_before(ref_);
    }

private:
    friend class Database;
    explicit DatabaseRef(std::weak_ptr<Database* const> ref) noexcept : ref_(std::move(ref)) {}
    std::weak_ptr<Database* const> ref_;
};

}  // namespace covet
