package pdfsign

import (
	"fmt"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// addField writes the signature dictionary, an invisible signature widget
// on page 1, and new versions of the objects that must point to it: the
// AcroForm (and the catalog, when the form was not its own object) and the
// page. It returns where the signature placeholders are.
func addField(u *update, doc *document, o Options, size int) (placeholder, error) {
	sigNr, widgetNr := u.reserve(), u.reserve()
	ph := sigDict(u, sigNr, o, size)
	widget := *types.NewIndirectRef(widgetNr, 0)

	form, formRef, err := acroForm(doc.ctx)
	if err != nil {
		return placeholder{}, err
	}
	name, err := fieldName(doc.ctx, form)
	if err != nil {
		return placeholder{}, err
	}
	// Flags 132 are Print and Locked; a zero Rect keeps the widget invisible.
	u.object(widgetNr, 0, fmt.Sprintf(
		"<</Type/Annot/Subtype/Widget/FT/Sig/T%s/V %d 0 R/F 132/Rect[0 0 0 0]/P %s>>",
		text(name), sigNr, doc.pageRef.PDFString()))

	if err := appendRef(doc.ctx, form, "Fields", widget); err != nil {
		return placeholder{}, fmt.Errorf("AcroForm fields: %w", err)
	}
	// SignaturesExist and AppendOnly: viewers must not rewrite the file.
	form["SigFlags"] = types.Integer(3)
	writeForm(u, doc, form, formRef)

	if err := appendRef(doc.ctx, doc.page, "Annots", widget); err != nil {
		return placeholder{}, fmt.Errorf("page 1 annotations: %w", err)
	}
	u.object(doc.pageRef.ObjectNumber.Value(), doc.pageRef.GenerationNumber.Value(),
		doc.page.PDFString())
	return ph, nil
}

// acroForm returns the catalog's interactive form, a new empty one if it
// has none, and its reference when it is an object of its own.
func acroForm(ctx *model.Context) (types.Dict, *types.IndirectRef, error) {
	obj, ok := ctx.RootDict.Find("AcroForm")
	if !ok {
		return types.Dict{}, nil, nil
	}

	form, err := ctx.DereferenceDict(obj)
	if err != nil {
		return nil, nil, fmt.Errorf("read AcroForm: %w", err)
	}
	if form == nil {
		form = types.Dict{}
	}
	if ref, ok := obj.(types.IndirectRef); ok {
		return form, &ref, nil
	}
	return form, nil, nil
}

// writeForm writes the form in place when it is its own object; otherwise
// it becomes a new object and a new catalog points to it.
func writeForm(u *update, doc *document, form types.Dict, ref *types.IndirectRef) {
	if ref != nil {
		u.object(ref.ObjectNumber.Value(), ref.GenerationNumber.Value(), form.PDFString())
		return
	}

	nr := u.reserve()
	u.object(nr, 0, form.PDFString())
	root := doc.ctx.Root
	doc.ctx.RootDict["AcroForm"] = *types.NewIndirectRef(nr, 0)
	u.object(root.ObjectNumber.Value(), root.GenerationNumber.Value(),
		doc.ctx.RootDict.PDFString())
}

// fieldName returns a name no top-level field of form has, since field
// names must be unique and a re-signed PDF already has "Signature1".
func fieldName(ctx *model.Context, form types.Dict) (string, error) {
	fields, err := ctx.DereferenceArray(form["Fields"])
	if err != nil {
		return "", fmt.Errorf("read AcroForm fields: %w", err)
	}

	taken := map[string]bool{}
	for _, f := range fields {
		d, err := ctx.DereferenceDict(f)
		if err != nil || d == nil {
			continue // a broken field cannot clash with the name chosen here
		}
		if t, ok := d.Find("T"); ok {
			if s, err := model.Text(t); err == nil {
				taken[s] = true
			}
		}
	}

	for i := 1; ; i++ {
		if name := fmt.Sprintf("Signature%d", i); !taken[name] {
			return name, nil
		}
	}
}

// appendRef sets d[key] to the array it holds, directly or by reference,
// with ref added. The result is a direct array so that an array object
// shared with other pages is never changed.
func appendRef(ctx *model.Context, d types.Dict, key string, ref types.IndirectRef) error {
	arr, err := ctx.DereferenceArray(d[key])
	if err != nil {
		return err
	}
	d[key] = append(slices.Clone(arr), ref)
	return nil
}
