// covet::Transaction: an RAII transaction guard; nested guards are savepoints.
//
//   {
//       covet::Transaction t{db};   // BEGIN, or SAVEPOINT covet_N when a transaction is open
//       db.execute(...);
//       t.commit();                 // COMMIT, or RELEASE covet_N
//   }                               // no commit (an exception, an early return): rolled back
//
// db.transaction([&] { ... }) (database.hpp) does the same around a callable and returns its value.
// Guards are strictly nested: only the innermost open one may be committed or rolled back.
// Rolling back a savepoint undoes only what was done since it, and the outer transaction goes on.
// Like its Database, a Transaction is used on one thread only; it is neither copyable nor movable.
#pragma once

namespace covet {

class Database;

// How the outermost transaction starts (BEGIN DEFERRED / IMMEDIATE / EXCLUSIVE). Immediate takes
// the write lock at once, so a writer waits on the busy timeout at BEGIN instead of failing with
// SQLITE_BUSY at its first write. Ignored by nested guards (savepoints).
enum class TransactionMode { Deferred, Immediate, Exclusive };

class Transaction {
public:
    explicit Transaction(Database& db, TransactionMode mode = TransactionMode::Deferred);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();  // rolls back if neither commit() nor rollback() ran; never throws

    // COMMIT (outermost) or RELEASE (savepoint). If it fails the guard stays open, so its
    // destructor rolls back. UsageError if already finished or not the innermost open guard.
    void commit();
    // ROLLBACK (outermost) or ROLLBACK TO + RELEASE (savepoint).
    void rollback();

    bool active() const noexcept { return active_; }
    bool is_savepoint() const noexcept { return savepoint_; }
    int depth() const noexcept { return depth_; }  // 1 for the outermost guard

private:
    void finish(bool commit);

    Database& db_;
    int depth_ = 0;
    bool savepoint_ = false;
    bool active_ = true;
};

}  // namespace covet
