// What a relation member knows besides its key, in one word (provenance.hpp):
//   0                    never read or saved, nothing cached;
//   a Provenance*        its object's Provenance, nothing cached;
//   a Record* | 1        the related objects it caches (loaded, or filled by select_related or
//                        prefetch_related) and the Provenance, on the heap.
// A member costs its object 8 bytes and a zeroed word, not a Provenance pointer, a cache pointer
// and their counts: W3 of the benchmark reads 30,000 objects with three relation members each.
// Copying copies the cache, as copying the object copies its related objects; moving moves the
// word. A Provenance is a counted reference (retain / release).
#pragma once

#include <covet/provenance.hpp>

#include <cstdint>
#include <utility>

namespace covet::detail {

template <class Cache>
class MemberState {
public:
    MemberState() = default;
    MemberState(const MemberState& other) : word_(other.copy()) {}
    MemberState(MemberState&& other) noexcept : word_(std::exchange(other.word_, 0)) {}
    MemberState& operator=(const MemberState& other) {
        if (this != &other) {
            const std::uintptr_t word = other.copy();  // first: it may throw
            clear();
            word_ = word;
        }
        return *this;
    }
    MemberState& operator=(MemberState&& other) noexcept {
        if (this != &other) {
            clear();
            word_ = std::exchange(other.word_, 0);
        }
        return *this;
    }
    ~MemberState() { clear(); }

    // Where the object came from (nullptr before it was read or saved).
    const Provenance* from() const noexcept {
        return caches() ? record()->from : reinterpret_cast<const Provenance*>(word_);
    }
    bool attached() const noexcept { return from() != nullptr; }
    const DatabaseRef& db() const noexcept {
        static const DatabaseRef none;
        const Provenance* p = from();
        return p != nullptr ? p->db : none;
    }
    const ModelInfo* owner() const noexcept {
        const Provenance* p = from();
        return p != nullptr ? p->owner : nullptr;
    }
    std::size_t member() const noexcept {
        const Provenance* p = from();
        return p != nullptr ? p->member : 0;
    }
    std::uint64_t origin() const noexcept {
        const Provenance* p = from();
        return p != nullptr ? p->origin : 0;
    }

    // After the object was read or saved (`from`: its Provenance, not null); the cache stays. An
    // object read again by the same evaluation touches no count.
    void attach(const Provenance* from) noexcept {
        const Provenance* old = this->from();
        if (old == from) return;
        retain(from);
        if (caches()) record()->from = from;
        else word_ = reinterpret_cast<std::uintptr_t>(from);
        if (old != nullptr) release(old);
    }

    // The cache (nullptr: none).
    Cache* cache() const noexcept { return caches() ? &record()->cache : nullptr; }
    // A new cache made of args, replacing the one there is.
    template <class... A>
    Cache& emplace_cache(A&&... args) {
        if (caches()) {
            record()->cache = Cache(std::forward<A>(args)...);
        } else {
            // The Provenance's reference moves into the record.
            static_assert(alignof(Record) > cache_tag);
            auto* r = new Record{reinterpret_cast<const Provenance*>(word_), Cache(std::forward<A>(args)...)};
            word_ = reinterpret_cast<std::uintptr_t>(r) | cache_tag;
        }
        return record()->cache;
    }
    // Forgets the cache; the Provenance stays.
    void reset_cache() noexcept {
        if (!caches()) return;
        Record* r = record();
        word_ = reinterpret_cast<std::uintptr_t>(r->from);
        r->from = nullptr;
        delete r;
    }

private:
    struct Record {
        const Provenance* from;  // counted, or nullptr
        Cache cache;
    };
    static constexpr std::uintptr_t cache_tag = 1;  // a pointer's low bit: both pointees are aligned
    static_assert(alignof(Provenance) > cache_tag);

    bool caches() const noexcept { return (word_ & cache_tag) != 0; }
    Record* record() const noexcept { return reinterpret_cast<Record*>(word_ & ~cache_tag); }

    std::uintptr_t copy() const {
        if (caches()) {
            auto* r = new Record{record()->from, record()->cache};
            if (r->from != nullptr) retain(r->from);
            return reinterpret_cast<std::uintptr_t>(r) | cache_tag;
        }
        if (word_ != 0) retain(from());
        return word_;
    }
    void clear() noexcept {
        if (caches()) {
            clear_record();
        } else if (word_ != 0) {
            release(reinterpret_cast<const Provenance*>(word_));
        }
        word_ = 0;
    }
    [[gnu::noinline]] void clear_record() noexcept {  // off the path of the usual member, which caches nothing
        const Record* r = record();
        if (r->from != nullptr) release(r->from);
        delete r;
    }

    std::uintptr_t word_ = 0;
};

}  // namespace covet::detail
