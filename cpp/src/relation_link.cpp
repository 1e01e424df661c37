// Relations resolved against both models (relation_link.hpp): names as the covet extension knows
// them, join columns, junction tables, and the lookup of a relation by accessor name.
#include <covet/relation_link.hpp>

#include <covet/error.hpp>
#include <covet/model.hpp>

#include <fmt/format.h>

#include <mutex>
#include <utility>

namespace covet {

namespace {

std::mutex models_mutex;
std::vector<const ModelInfo*>& models() {
    static std::vector<const ModelInfo*> list;
    return list;
}

}  // namespace

std::vector<const ModelInfo*> known_models() {
    const std::lock_guard lock(models_mutex);
    return models();
}

const Relation* ModelInfo::relation(std::string_view name) const {
    for (const Relation& r : relations) {
        if (r.field == name) return &r;
    }
    return nullptr;
}

std::string_view on_delete_name(OnDelete on_delete) {
    switch (on_delete) {
        case OnDelete::Cascade: return "CASCADE";
        case OnDelete::Protect: return "PROTECT";
        case OnDelete::Restrict: return "RESTRICT";
        case OnDelete::SetNull: return "SET_NULL";
        case OnDelete::SetDefault: return "SET_DEFAULT";
        case OnDelete::DoNothing: return "DO_NOTHING";
        case OnDelete::Unset: break;
    }
    return "";
}

namespace detail {

void remember_model(const ModelInfo& model) {
    const std::lock_guard lock(models_mutex);
    models().push_back(&model);
}

namespace {

bool symmetrical(const ModelInfo& model, const Relation& r) {
    return r.kind == RelationKind::ManyToMany && &r.target() == &model && r.symmetrical != Symmetry::Asymmetrical;
}

const Column& primary_key(const ModelInfo& model) { return model.columns[model.primary_key]; }

// The key columns of a through model: its ForeignKey to `from` and its ForeignKey to `to` (for a
// self relation, the first and the second).
std::pair<const Column*, const Column*> through_columns(const ModelInfo& model, const Relation& r) {
    const ModelInfo& through = r.through();
    const ModelInfo& target = r.target();
    const Column* from = nullptr;
    const Column* to = nullptr;
    for (const Relation& fk : through.relations) {
        if (!fk.column) continue;
        const ModelInfo& points_to = fk.target();
        const Column* column = &through.columns[*fk.column];
        if (&points_to == &model && from == nullptr) {
            from = column;
        } else if (&points_to == &target && to == nullptr) {
            to = column;
        }
    }
    if (from == nullptr || to == nullptr) {
        throw SchemaError(fmt::format("covet: {}.{}: the through model {} needs a ForeignKey to {} and one to {}",
                                      model.name, r.field, through.name, model.name, target.name));
    }
    return {from, to};
}

void set_junction(RelationLink& link, const ModelInfo& model, const Relation& r) {
    const ModelInfo& target = r.target();
    if (r.through) {
        const auto [from, to] = through_columns(model, r);
        link.junction = r.through().table;
        link.junction_from = from->name;
        link.junction_to = to->name;
    } else {
        link.junction = r.db_table.empty() ? model.table + "_" + r.field : r.db_table;
        const bool self = &target == &model;
        link.junction_from = (self ? "from_" : "") + snake_case(model.name) + "_id";
        link.junction_to = (self ? "to_" : "") + snake_case(target.name) + "_id";
    }
}

}  // namespace

std::string reverse_query_name(const ModelInfo& model, std::string_view field) {
    const Relation* r = model.relation(field);
    if (r == nullptr) throw_logic(fmt::format("covet: {}.{} is not a relation", model.name, field));
    if (!r->related_name.empty() && r->related_name != "+") return r->related_name;
    return snake_case(model.name);
}

bool is_symmetrical(const RelationLink& link) { return symmetrical(*link.declared_on, *link.relation); }

std::string keys_json(const std::vector<Value>& keys) {
    std::string out = "[";
    for (const Value& key : keys) {
        if (out.size() > 1) out += ',';
        if (const auto* i = std::get_if<std::int64_t>(&key)) {
            out += std::to_string(*i);
        } else if (const auto* text = std::get_if<std::string>(&key)) {
            out += '"';
            for (char c : *text) {
                if (c == '"' || c == '\\') {
                    out += '\\';
                    out += c;
                } else if (static_cast<unsigned char>(c) < 0x20) {
                    out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
                } else {
                    out += c;
                }
            }
            out += '"';
        } else {
            throw UsageError(fmt::format("covet: {} cannot be used as a related key (integers and text only)",
                                         covet::describe(key)));
        }
    }
    return out + "]";
}

std::string relation_name(const ModelInfo& model, const Relation& relation) {
    return model.table + "." + relation.field;
}

std::string reverse_accessor(const ModelInfo& model, const Relation& relation) {
    if (relation.related_name == "+" || symmetrical(model, relation)) return {};
    if (!relation.related_name.empty()) return relation.related_name;
    return snake_case(model.name) + (relation.kind == RelationKind::OneToOne ? "" : "_set");
}

const Column& target_key(const ModelInfo& model, const Relation& relation) {
    const ModelInfo& target = relation.target();
    if (relation.to_field.empty()) return primary_key(target);
    if (const Column* c = target.field(relation.to_field)) return *c;
    throw SchemaError(fmt::format("covet: {}.{}: to_field '{}' is not a field of {}", model.name, relation.field,
                                  relation.to_field, target.name));
}

RelationLink forward_link(const ModelInfo& model, const Relation& r) {
    RelationLink link;
    link.from = &model;
    link.to = &r.target();
    link.declared_on = &model;
    link.relation = &r;
    link.name = relation_name(model, r);
    link.accessor = r.field;
    if (r.kind == RelationKind::ManyToMany) {
        link.many = true;
        link.optional = true;
        link.from_column = &primary_key(model);
        link.to_column = &primary_key(*link.to);
        set_junction(link, model, r);
    } else {
        link.optional = r.null;
        link.from_column = &model.columns[*r.column];
        link.to_column = &target_key(model, r);
    }
    return link;
}

RelationLink reverse_link(const ModelInfo& model, const Relation& r) {
    RelationLink forward = forward_link(model, r);
    RelationLink link = forward;
    link.from = forward.to;
    link.to = &model;
    link.reverse = true;
    link.optional = true;
    link.many = r.kind != RelationKind::OneToOne;
    const std::string accessor = reverse_accessor(model, r);
    link.accessor = accessor;
    link.name = accessor.empty() ? std::string() : forward.to->table + "." + accessor;
    link.from_column = forward.to_column;
    link.to_column = forward.from_column;
    std::swap(link.junction_from, link.junction_to);
    return link;
}

namespace {

// Every known model's relations to `model`, with the names a lookup may use for each.
template <class F>
void each_reverse(const ModelInfo& model, F&& visit) {
    for (const ReverseField& f : model.reverse_fields) (void)f.source();  // makes them known
    for (const ModelInfo* source : known_models()) {
        for (const Relation& r : source->relations) {
            if (&r.target() != &model || reverse_accessor(*source, r).empty()) continue;
            if (visit(*source, r)) return;
        }
    }
}

bool names_reverse(const ModelInfo& source, const Relation& r, std::string_view name) {
    const std::string accessor = reverse_accessor(source, r);
    return name == accessor || (r.related_name.empty() && name == snake_case(source.name));
}

}  // namespace

std::optional<RelationLink> find_link(const ModelInfo& model, std::string_view name) {
    if (const Relation* r = model.relation(name)) return forward_link(model, *r);
    std::optional<RelationLink> found;
    each_reverse(model, [&](const ModelInfo& source, const Relation& r) {
        if (!names_reverse(source, r, name)) return false;
        found = reverse_link(source, r);
        return true;
    });
    return found;
}

std::vector<std::string> relation_list(const ModelInfo& model) {
    std::vector<std::string> names;
    for (const Relation& r : model.relations) names.push_back(r.field);
    each_reverse(model, [&](const ModelInfo& source, const Relation& r) {
        names.push_back(reverse_accessor(source, r));
        return false;
    });
    return names;
}

RelationLink require_link(const ModelInfo& model, std::string_view name) {
    if (auto link = find_link(model, name)) return std::move(*link);
    const std::vector<std::string> names = relation_list(model);
    throw UsageError(fmt::format("covet: {} has no relation '{}' (relations: {})", model.name, name,
                                 names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))));
}

const Relation& relation_of_member(const ModelInfo& model, std::size_t member) {
    for (const Relation& r : model.relations) {
        if (r.member == member) return r;
    }
    throw_logic(fmt::format("covet: {} has no relation member #{}", model.name, member));
}

const ReverseField& reverse_of_member(const ModelInfo& model, std::size_t member) {
    for (const ReverseField& f : model.reverse_fields) {
        if (f.member == member) return f;
    }
    throw_logic(fmt::format("covet: {} has no reverse member #{}", model.name, member));
}

RelationLink reverse_field_link(const ModelInfo& model, const ReverseField& field) {
    const ModelInfo& source = field.source();
    std::optional<RelationLink> found;
    for (const Relation& r : source.relations) {
        if (&r.target() == &model && reverse_accessor(source, r) == field.field) {
            if (found) {
                throw SchemaError(fmt::format("covet: {}.{}: several relations of {} to {} are named '{}'",
                                              model.name, field.field, source.name, model.name, field.field));
            }
            found = reverse_link(source, r);
        }
    }
    if (!found) {
        throw SchemaError(fmt::format(
            "covet: {}.{} declares the reverse side of a relation of {}, but no relation of {} to {} has "
            "related_name \"{}\"",
            model.name, field.field, source.name, source.name, model.name, field.field));
    }
    if (found->many == field.one) {
        throw SchemaError(fmt::format("covet: {}.{}: the reverse of {}.{} is {}: declare it as covet::{}<{}>",
                                      model.name, field.field, source.name, found->relation->field,
                                      found->many ? "a set of objects" : "one object",
                                      found->many ? "ReverseMany" : "ReverseOne", source.name));
    }
    return std::move(*found);
}

}  // namespace detail
}  // namespace covet
