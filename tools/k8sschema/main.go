// Command k8sschema writes the JSON schemas kubeconform validates the Helm chart's manifests
// against, offline: one file per kind, named as kubeconform's -schema-location template
// {{ .ResourceKind }}{{ .KindSuffix }}.json expects (deployment-apps-v1.json, service-v1.json).
//
// Built-in kinds come from the Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json of
// the k8s.io/kubernetes module), custom resources from their CustomResourceDefinitions. The
// schemas are "standalone strict", like those kubeconform downloads by default: references
// inlined, unknown fields refused (additionalProperties: false), optional fields nullable,
// int-or-string and quantities accepting a string or a number. scripts/k8s-schemas.sh runs it.
//
//	go run ./k8sschema -swagger swagger.json -crd crd.yaml -out dir apps/v1/Deployment v1/Service ...
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

type schema = map[string]any

func main() {
	var crds multiFlag
	swagger := flag.String("swagger", "", "Kubernetes OpenAPI v2 document (swagger.json)")
	out := flag.String("out", "", "directory the schemas are written to")
	flag.Var(&crds, "crd", "CustomResourceDefinition YAML file (repeatable)")
	flag.Parse()
	if *swagger == "" || *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: k8sschema -swagger swagger.json [-crd crd.yaml]... -out dir group/version/Kind...")
		os.Exit(2)
	}
	if err := run(*swagger, crds, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "k8sschema:", err)
		os.Exit(1)
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func run(swaggerFile string, crdFiles []string, out string, kinds []string) error {
	var doc struct {
		Definitions map[string]schema `json:"definitions"`
	}
	b, err := os.ReadFile(swaggerFile)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%s: %w", swaggerFile, err)
	}
	custom := map[string]schema{} // by group/version/Kind
	for _, f := range crdFiles {
		if err := readCRDs(f, custom); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, gvk := range kinds {
		group, version, kind, err := splitGVK(gvk)
		if err != nil {
			return err
		}
		var s schema
		if c, ok := custom[gvk]; ok {
			s = strictCRD(c)
		} else if name := findDefinition(doc.Definitions, group, version, kind); name != "" {
			s = expand(doc.Definitions, name, map[string]bool{})
		} else {
			return fmt.Errorf("%s: no definition in %s nor in the CRDs", gvk, swaggerFile)
		}
		s["$schema"] = "http://json-schema.org/draft-07/schema#"
		file := filepath.Join(out, fileName(group, version, kind))
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", " ")
		if err := enc.Encode(s); err != nil {
			return err
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Println(file)
	}
	return nil
}

// splitGVK reads apps/v1/Deployment, v1/Service (core) or monitoring.coreos.com/v1/ServiceMonitor.
func splitGVK(s string) (group, version, kind string, err error) {
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 2:
		return "", parts[0], parts[1], nil
	case 3:
		return parts[0], parts[1], parts[2], nil
	}
	return "", "", "", fmt.Errorf("%q is not group/version/Kind", s)
}

// fileName is kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json: the kind, the first label
// of the group (none for the core group) and the version, lower case.
func fileName(group, version, kind string) string {
	parts := []string{strings.ToLower(kind)}
	if group != "" {
		parts = append(parts, strings.ToLower(strings.Split(group, ".")[0]))
	}
	return strings.Join(append(parts, strings.ToLower(version)), "-") + ".json"
}

func findDefinition(defs map[string]schema, group, version, kind string) string {
	for name, d := range defs {
		gvks, _ := d["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			m, _ := g.(map[string]any)
			if m["group"] == group && m["version"] == version && m["kind"] == kind {
				return name
			}
		}
	}
	return ""
}

// Definitions that are strings in the document but take numbers too on the API server.
var scalars = map[string]schema{
	"io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"oneOf": []any{schema{"type": "string"}, schema{"type": "integer"}}},
	"io.k8s.apimachinery.pkg.api.resource.Quantity":   {"oneOf": []any{schema{"type": "string"}, schema{"type": "number"}}},
}

// expand returns the definition name with its references inlined (a reference back to a
// definition being expanded accepts anything), made strict and nullable.
func expand(defs map[string]schema, name string, stack map[string]bool) schema {
	if s, ok := scalars[name]; ok {
		return deepCopy(s)
	}
	if stack[name] {
		return schema{}
	}
	stack[name] = true
	defer delete(stack, name)
	return convert(defs, defs[name], stack)
}

func convert(defs map[string]schema, in schema, stack map[string]bool) schema {
	if ref, ok := in["$ref"].(string); ok {
		return expand(defs, strings.TrimPrefix(ref, "#/definitions/"), stack)
	}
	out := schema{}
	for k, v := range in {
		switch {
		case k == "description" || k == "format" || strings.HasPrefix(k, "x-"):
		case k == "properties":
			props := schema{}
			for p, ps := range v.(map[string]any) {
				props[p] = convert(defs, ps.(map[string]any), stack)
			}
			out[k] = props
		case k == "items" || k == "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				out[k] = convert(defs, m, stack)
			} else {
				out[k] = v
			}
		default:
			out[k] = v
		}
	}
	if in["format"] == "int-or-string" {
		return deepCopy(scalars["io.k8s.apimachinery.pkg.util.intstr.IntOrString"])
	}
	return strictNullable(out)
}

// strictNullable refuses unknown fields of an object with properties, and accepts null for
// its optional fields (kubectl and the API server drop them).
func strictNullable(s schema) schema {
	props, ok := s["properties"].(schema)
	if !ok {
		return s
	}
	if _, set := s["additionalProperties"]; !set {
		s["additionalProperties"] = false
	}
	required := map[string]bool{}
	if r, ok := s["required"].([]any); ok {
		for _, x := range r {
			required[fmt.Sprint(x)] = true
		}
	}
	for p, ps := range props {
		if !required[p] {
			props[p] = nullable(ps.(schema))
		}
	}
	return s
}

func nullable(s schema) schema {
	switch t := s["type"].(type) {
	case string:
		s["type"] = []any{t, "null"}
	case nil:
		for _, key := range []string{"oneOf", "anyOf"} {
			if alts, ok := s[key].([]any); ok {
				s[key] = append(alts, schema{"type": "null"})
			}
		}
	}
	return s
}

// readCRDs adds the schema of every version of the CustomResourceDefinitions in file.
func readCRDs(file string, into map[string]schema) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	for _, docText := range strings.Split(string(b), "\n---") {
		var crd struct {
			Kind string `json:"kind"`
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Schema struct {
						OpenAPIV3Schema schema `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if strings.TrimSpace(docText) == "" {
			continue
		}
		if err := yaml.Unmarshal([]byte(docText), &crd); err != nil {
			if errors.Is(err, io.EOF) {
				continue
			}
			return fmt.Errorf("%s: %w", file, err)
		}
		if crd.Kind != "CustomResourceDefinition" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Schema.OpenAPIV3Schema != nil {
				into[crd.Spec.Group+"/"+v.Name+"/"+crd.Spec.Names.Kind] = v.Schema.OpenAPIV3Schema
			}
		}
	}
	return nil
}

// strictCRD makes a CRD's structural schema strict and nullable like the built-in ones: unknown
// fields refused except under x-kubernetes-preserve-unknown-fields, int-or-string fields
// accepting both, nullable fields accepting null.
func strictCRD(in schema) schema {
	out := schema{}
	for k, v := range in {
		switch {
		case k == "description" || k == "format" || strings.HasPrefix(k, "x-") || k == "nullable":
		case k == "properties":
			props := schema{}
			for p, ps := range v.(map[string]any) {
				props[p] = strictCRD(ps.(map[string]any))
			}
			out[k] = props
		case k == "items" || k == "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				out[k] = strictCRD(m)
			} else {
				out[k] = v
			}
		case k == "allOf" || k == "anyOf" || k == "oneOf":
			var alts []any
			for _, a := range v.([]any) {
				alts = append(alts, strictCRD(a.(map[string]any)))
			}
			out[k] = alts
		default:
			out[k] = v
		}
	}
	if in["x-kubernetes-int-or-string"] == true {
		return deepCopy(scalars["io.k8s.apimachinery.pkg.util.intstr.IntOrString"])
	}
	if in["x-kubernetes-preserve-unknown-fields"] == true {
		if _, set := out["additionalProperties"]; !set {
			out["additionalProperties"] = true
		}
	}
	out = strictNullable(out)
	if in["nullable"] == true {
		out = nullable(out)
	}
	return out
}

func deepCopy(s schema) schema {
	b, _ := json.Marshal(s)
	var c schema
	_ = json.Unmarshal(b, &c)
	return c
}
