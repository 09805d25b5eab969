//! `types.yaml`: shared object types. Their names live in one namespace across all `types.yaml` files, and
//! every endpoint's fields may name them, so they are lowered before endpoints.

use heck::ToUpperCamelCase;

use super::names::is_upper_camel;
use super::{Lowering, Src, join, with_help};
use crate::ir::ObjectType;
use crate::yaml::SpecSet;
use crate::yaml::raw::TypeSpec;

impl Lowering {
    pub(super) fn shared_types(&mut self, set: &SpecSet) -> Vec<ObjectType> {
        // Every name is known before any field is lowered, so types may name each other in any order.
        let known: Vec<String> = set
            .types
            .iter()
            .flat_map(|f| f.value.types.0.iter().map(|(name, _)| name.clone()))
            .collect();
        let mut types: Vec<ObjectType> = Vec::new();
        for file in &set.types {
            let src = Src::of(file);
            for (name, spec) in &file.value.types.0 {
                if let Some(ty) = self.shared_type(src, name, spec, &types, &known) {
                    types.push(ty);
                }
            }
        }
        types
    }

    /// One shared type: an UpperCamelCase name defined once, and its fields.
    fn shared_type(
        &mut self,
        src: Src,
        name: &str,
        spec: &TypeSpec,
        defined: &[ObjectType],
        known: &[String],
    ) -> Option<ObjectType> {
        let path = join("types", name);
        if !is_upper_camel(name) {
            let d = src.at(
                src.positions.key(&path, 0),
                &path,
                format!("type name `{name}` is not UpperCamelCase"),
            );
            self.push(with_help(d, Some(format!("write `{}`", name.to_upper_camel_case()))));
            return None;
        }
        if defined.iter().any(|t| t.name == name) {
            let msg = format!("type `{name}` is defined twice");
            self.push(src.at(src.positions.key(&path, 1), &path, msg));
            return None;
        }
        let dropped = self.dropped_fields;
        let fields = self.fields(src, &join(&path, "fields"), &spec.fields, known);
        if self.dropped_fields != dropped {
            // Paths into this type may name the field it lost: they are not checked (see `Lowering::whole`).
            self.failed.types.known.push(name.to_owned());
        }
        self.type_names(src, &path, name, &fields);
        Some(ObjectType {
            name: name.to_owned(),
            doc: spec.doc.clone(),
            fields,
        })
    }
}
