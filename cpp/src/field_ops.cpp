// The non-template loops over a model's fields (model.hpp's detail::ModelOps): binding, reading,
// conversions to and from covet::Value, auto_now. Per model, only the table of FieldOps (one
// accessor per member) is instantiated; the per-type operations are shared by all models.
#include <covet/model.hpp>

#include <memory>

namespace covet::detail {

namespace {

void* member_at(const FieldOps& field, const void* object) {
    return field.at(const_cast<void*>(object));
}

// The object's primary key for its relation members: read in place from a std::int64_t field (the
// usual key), without a Value built and destroyed per object read.
OwnerKey owner_key(const ModelInfo& info, const void* object) {
    const FieldOps& key = info.ops.fields[info.primary_key];
    if (key.type == &type_ops<std::int64_t>) {
        return OwnerKey(*static_cast<const std::int64_t*>(member_at(key, object)));
    }
    return OwnerKey(field_value(info.ops, object, info.primary_key));
}

}  // namespace

void add_columns(ModelInfo& info, ModelOps ops, const std::string_view* names) {
    info.columns.reserve(info.columns.size() + ops.count);
    for (std::size_t i = 0; i < ops.count; ++i) {
        const TypeOps& type = *ops.fields[i].type;
        Column& c = info.columns.emplace_back();
        c.field = std::string(names[i]);
        c.name = c.field;
        c.type = type.type;
        c.nullable = type.nullable;
        c.choices = type.choices();
    }
}

void add_relations(ModelInfo& info, ModelOps ops, const std::string_view* names) {
    for (std::size_t i = 0; i < ops.relation_count; ++i) {
        ops.relations[i].ops->describe(info, names[i], i);
    }
}

void destroy(ProvenanceBlock* block) noexcept { delete block; }
void OwnerKey::destroy(const Value* key) noexcept { delete key; }

Provenances provenances(const DatabaseRef& db, const ModelInfo& owner, std::uint64_t origin) {
    auto block = std::make_unique<ProvenanceBlock>();
    const std::size_t n = owner.ops.relation_count;
    block->members.reserve(n);
    for (std::size_t i = 0; i < n; ++i) block->members.push_back(Provenance{db, &owner, i, origin, block.get()});
    return Provenances(block.release());
}

void attach_relations(const ModelInfo& info, void* object, const Provenances& from) {
    const ModelOps& ops = info.ops;
    if (ops.relation_count == 0) {
        return;
    }
    const OwnerKey key = owner_key(info, object);
    const Attachment attachment{from, key};
    for (std::size_t i = 0; i < ops.relation_count; ++i) {
        const RelationField& field = ops.relations[i];
        field.ops->attach(field.at(object), attachment, i);
    }
}

void attach_relations(const ModelInfo& info, void* object, const DatabaseRef& db, std::uint64_t origin) {
    if (info.ops.relation_count == 0) {
        return;
    }
    // The last one made on this thread, when it matches: a bulk_create or a run of lazy loads
    // shares one instead of allocating one per object.
    thread_local Provenances last;
    if (last.empty() || !last[0]->db.same(db) || last[0]->owner != &info || last[0]->origin != origin) {
        last = provenances(db, info, origin);
    }
    attach_relations(info, object, last);
}

void prepare_relations(const ModelInfo& info, void* object) {
    for (const Relation& relation : info.relations) {
        const RelationField& field = info.ops.relations[relation.member];
        if (field.ops->before_save != nullptr) {
            field.ops->before_save(field.at(object), info, relation);
        }
    }
}

void bind_fields(ModelOps ops, const void* object, sqlite3_stmt* stmt, int first_index) {
    int index = first_index;
    for (std::size_t i = 0; i < ops.count; ++i) {
        const FieldOps& field = ops.fields[i];
        field.type->bind(member_at(field, object), stmt, index++);
    }
}

void bind_field(ModelOps ops, const void* object, std::size_t column, sqlite3_stmt* stmt, int index) {
    if (column < ops.count) {
        const FieldOps& field = ops.fields[column];
        field.type->bind(member_at(field, object), stmt, index);
    }
}

Value field_value(ModelOps ops, const void* object, std::size_t column) {
    if (column < ops.count) {
        const FieldOps& field = ops.fields[column];
        return field.type->get(member_at(field, object));
    }
    return Value{};
}

void set_field(ModelOps ops, void* object, std::size_t column, const Value& value) {
    if (column < ops.count) {
        const FieldOps& field = ops.fields[column];
        field.type->set(field.at(object), value);
    }
}

void read_row(ModelOps ops, void* object, sqlite3_stmt* stmt, int first_column) {
    int column = first_column;
    for (std::size_t i = 0; i < ops.count; ++i) {
        const FieldOps& field = ops.fields[i];
        field.type->read(field.at(object), stmt, column++);
    }
}

std::vector<Value> to_values(ModelOps ops, const void* object) {
    std::vector<Value> values;
    values.reserve(ops.count);
    for (std::size_t i = 0; i < ops.count; ++i) {
        const FieldOps& field = ops.fields[i];
        values.push_back(field.type->get(member_at(field, object)));
    }
    return values;
}

void apply_auto_now(const ModelInfo& info, ModelOps ops, void* object, bool creating,
                    std::chrono::system_clock::time_point now) {
    for (std::size_t i = 0; i < ops.count; ++i) {
        const FieldOps& field = ops.fields[i];
        if (field.type->set_now == nullptr) {
            continue;
        }
        const Column& c = info.columns[i];
        if (c.auto_now || (creating && c.auto_now_add)) {
            field.type->set_now(field.at(object), now);
        }
    }
}

bool primary_key_unset(const ModelInfo& info, ModelOps ops, const void* object) {
    const std::size_t key = info.primary_key;
    if (key >= ops.count) {
        return false;
    }
    const FieldOps& field = ops.fields[key];
    return field.type->key_unset(member_at(field, object));
}

void copy_field(ModelOps ops, void* to, const void* from, std::size_t column) {
    if (column < ops.count) {
        const FieldOps& field = ops.fields[column];
        field.type->copy(field.at(to), member_at(field, from));
    }
}

}  // namespace covet::detail
