package requests_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	return img
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gpsLatitude is the latitude the phone wrote, as degrees/1, minutes/1,
// seconds*100/100 rationals: 33° 53' 37.68".
var gpsLatitude = []uint32{33, 1, 53, 1, 3768, 100}

// jpegWithGPS returns a JPEG whose APP1 segment holds an EXIF block with a
// camera model and a GPS position, as a phone writes them (big-endian TIFF,
// IFD0 with Model and a GPSInfo pointer, a GPS IFD with latitude).
func jpegWithGPS(t *testing.T) []byte {
	t.Helper()
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, testImage(), nil); err != nil {
		t.Fatal(err)
	}

	be := binary.BigEndian
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, be, uint32(8)) // IFD0 right after the header
	model := "PhoneCam X1\x00"
	// IFD0: 2 entries (12 bytes each) + count + next = 2+24+4 = 30 bytes at 8.
	ifd0End := uint32(8 + 30)
	modelAt := ifd0End
	gpsAt := modelAt + uint32(len(model))
	entry := func(b *bytes.Buffer, tag, typ uint16, count, value uint32) {
		binary.Write(b, be, tag)
		binary.Write(b, be, typ)
		binary.Write(b, be, count)
		binary.Write(b, be, value)
	}
	binary.Write(&tiff, be, uint16(2))
	entry(&tiff, 0x0110, 2, uint32(len(model)), modelAt) // Model, ASCII
	entry(&tiff, 0x8825, 4, 1, gpsAt)                    // GPSInfo, LONG
	binary.Write(&tiff, be, uint32(0))
	tiff.WriteString(model)
	// GPS IFD: 2 entries = 30 bytes, then the rationals.
	latAt := gpsAt + 30
	binary.Write(&tiff, be, uint16(2))
	entry(&tiff, 0x0001, 2, 2, 'N'<<24) // GPSLatitudeRef "N", inline
	entry(&tiff, 0x0002, 5, 3, latAt)   // GPSLatitude, 3 RATIONAL
	binary.Write(&tiff, be, uint32(0))
	for _, v := range gpsLatitude {
		binary.Write(&tiff, be, v)
	}

	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(plain.Bytes()[:2]) // SOI
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, be, uint16(len(payload)+2))
	out.Write(payload)
	out.Write(plain.Bytes()[2:])
	return out.Bytes()
}

// latitudeBytes is how the GPS latitude appears in the file.
func latitudeBytes() []byte {
	var b bytes.Buffer
	for _, v := range gpsLatitude {
		binary.Write(&b, binary.BigEndian, v)
	}
	return b.Bytes()
}

// pngWithText returns a PNG with a tEXt chunk naming where it was taken,
// inserted before the image data.
func pngWithText(t *testing.T) []byte {
	t.Helper()
	p := pngBytes(t)
	i := bytes.Index(p, []byte("IDAT")) - 4
	data := []byte("Location\x00Home of Amal, 33.8938N 35.5018E")
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(len(data)))
	chunk.WriteString("tEXt")
	chunk.Write(data)
	binary.Write(&chunk, binary.BigEndian, crc32PNG(append([]byte("tEXt"), data...)))
	return append(append(append([]byte{}, p[:i]...), chunk.Bytes()...), p[i:]...)
}

// hugePNG returns a valid 1×1 PNG whose header claims 20000×20000 pixels,
// as a decompression bomb would.
func hugePNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := buf.Bytes()
	ihdr := bytes.Index(p, []byte("IHDR"))
	binary.BigEndian.PutUint32(p[ihdr+4:], 20000)
	binary.BigEndian.PutUint32(p[ihdr+8:], 20000)
	binary.BigEndian.PutUint32(p[ihdr+17:], crc32PNG(p[ihdr:ihdr+17]))
	return p
}

func crc32PNG(b []byte) uint32 {
	var table [256]uint32
	for n := range table {
		c := uint32(n)
		for range 8 {
			if c&1 == 1 {
				c = 0xEDB88320 ^ (c >> 1)
			} else {
				c >>= 1
			}
		}
		table[n] = c
	}
	c := ^uint32(0)
	for _, x := range b {
		c = table[byte(c)^x] ^ (c >> 8)
	}
	return ^c
}

const okPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// TestSupportingFiles: types come from the bytes, images lose their
// metadata, PDFs are kept as they are unless they would run something.
func TestSupportingFiles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	withGPS := jpegWithGPS(t)
	if _, err := jpeg.Decode(bytes.NewReader(withGPS)); err != nil ||
		!bytes.Contains(withGPS, latitudeBytes()) {
		t.Fatalf("the test JPEG is not a JPEG with GPS: %v", err)
	}

	tests := []struct {
		name     string
		upload   string // the name the phone gave it
		data     []byte
		kind     sijil.Kind
		key      string
		wantType string
		wantName string
		absent   [][]byte // must not be in what is stored
	}{
		{"jpeg loses EXIF and GPS", "IMG_0001.JPG", withGPS, 0, "", requests.TypeJPEG,
			"IMG_0001.jpg", [][]byte{[]byte("Exif"), []byte("PhoneCam"), latitudeBytes(),
				{0xFF, 0xE1}}},
		{"png loses its text chunks", "scan.png", pngWithText(t), 0, "", requests.TypePNG,
			"scan.png", [][]byte{[]byte("tEXt"), []byte("Home of Amal")}},
		{"type from the bytes, not the name", "deed.pdf", pngBytes(t), 0, "",
			requests.TypePNG, "deed.png", nil},
		{"pdf kept", "deed.pdf", []byte(okPDF), 0, "", requests.TypePDF, "deed.pdf", nil},
		{"pdf with a script", "x.pdf", []byte(strings.Replace(okPDF, "/Type /Catalog",
			"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>", 1)),
			sijil.Invalid, "requests.file_active_pdf", "", "", nil},
		{"pdf cut short", "x.pdf", []byte(okPDF[:40]), sijil.Invalid,
			"requests.file_damaged", "", "", nil},
		{"a program named as a photo", "photo.jpg", append([]byte("MZ\x90\x00"),
			make([]byte, 200)...), sijil.Invalid, "requests.file_type", "", "", nil},
		{"gif is not accepted", "a.jpg", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
			sijil.Invalid, "requests.file_type", "", "", nil},
		{"jpeg header only", "a.jpg", withGPS[:200], sijil.Invalid, "requests.file_damaged",
			"", "", nil},
		{"a small file claiming a huge image", "bomb.png", hugePNG(t), sijil.TooLarge,
			"requests.image_too_large", "", "", nil},
		{"empty", "a.jpg", nil, sijil.Invalid, "requests.file_empty", "", "", nil},
		{"over 5 MB", "big.pdf", append([]byte(okPDF), make([]byte, requests.MaxFileBytes)...),
			sijil.TooLarge, "requests.file_too_large", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.svc.Submit(ctx, amal, buildingForm(), []requests.Upload{
				{Name: tt.upload, Body: bytes.NewReader(tt.data)}})
			if tt.key != "" {
				wantKind(t, err, tt.kind, tt.key)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r = must(t)(e.svc.Request(ctx, amal, r.Ref))
			if len(r.Files) != 1 {
				t.Fatalf("%d files, want 1", len(r.Files))
			}
			f, rc, err := e.svc.RequestFile(ctx, amal, r.Ref, r.Files[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := io.ReadAll(rc)
			rc.Close()
			if f.ContentType != tt.wantType || f.Name != tt.wantName ||
				f.Size != int64(len(stored)) {
				t.Fatalf("stored %s %q (%d bytes, read %d), want %s %q", f.ContentType, f.Name,
					f.Size, len(stored), tt.wantType, tt.wantName)
			}
			for _, bad := range tt.absent {
				if bytes.Contains(stored, bad) {
					t.Errorf("the stored file still holds %q", bad)
				}
			}
			if tt.wantType == requests.TypePDF && !bytes.Equal(stored, tt.data) {
				t.Errorf("the PDF was changed")
			}
			if tt.wantType != requests.TypePDF {
				img, _, err := image.Decode(bytes.NewReader(stored))
				if err != nil || img.Bounds() != testImage().Bounds() {
					t.Fatalf("stored image does not decode to the same size: %v", err)
				}
			}
		})
	}

	t.Run("too many files", func(t *testing.T) {
		var ups []requests.Upload
		for range requests.MaxFiles + 1 {
			ups = append(ups, requests.Upload{Name: "a.pdf", Body: strings.NewReader(okPDF)})
		}
		_, err := e.svc.Submit(ctx, amal, buildingForm(), ups)
		wantKind(t, err, sijil.Invalid, "requests.files_too_many")
	})

	t.Run("a file of another request is not found", func(t *testing.T) {
		a, err := e.svc.Submit(ctx, amal, buildingForm(), []requests.Upload{
			{Name: "a.pdf", Body: strings.NewReader(okPDF)}})
		if err != nil {
			t.Fatal(err)
		}
		b := e.submit(t, amal)
		a = must(t)(e.svc.Request(ctx, amal, a.Ref))
		_, _, err = e.svc.RequestFile(ctx, amal, b.Ref, a.Files[0].ID)
		wantKind(t, err, sijil.NotFound, "requests.file_not_found")
	})
}

// TestSidewaysPhotoIsTurnedUpright: a phone keeps a portrait photo as
// landscape pixels with an EXIF orientation. The stored copy, which has
// lost its EXIF, must show the page upright to the clerk.
func TestSidewaysPhotoIsTurnedUpright(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	r, err := e.svc.Submit(ctx, amal, buildingForm(), []requests.Upload{
		{Name: "IMG_0002.JPG", Body: bytes.NewReader(jpegWithOrientation(t, 6))}})
	if err != nil {
		t.Fatal(err)
	}
	r = must(t)(e.svc.Request(ctx, amal, r.Ref))
	_, rc, err := e.svc.RequestFile(ctx, amal, r.Ref, r.Files[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	img, err := jpeg.Decode(rc)
	if err != nil {
		t.Fatal(err)
	}

	// Orientation 6: the camera's pixels are to be turned a quarter
	// clockwise, so the 64×48 frame stands 48×64 and its bottom-left pixel
	// comes to the top left.
	if got := img.Bounds().Size(); got != image.Pt(48, 64) {
		t.Fatalf("stored photo is %v, want 48×64 upright", got)
	}
	want := testImage().At(0, 47).(color.RGBA)
	got := color.RGBAModel.Convert(img.At(0, 0)).(color.RGBA)
	if d := int(got.G) - int(want.G); d < -20 || d > 20 {
		t.Errorf("top-left pixel %v, want about %v (the frame's bottom left)", got, want)
	}
}

// jpegWithOrientation is testImage as a JPEG whose EXIF says how to turn
// it: one IFD0 entry, Orientation (0x0112), a SHORT.
func jpegWithOrientation(t *testing.T, orientation uint16) []byte {
	t.Helper()
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, testImage(), nil); err != nil {
		t.Fatal(err)
	}

	be := binary.BigEndian
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, be, uint32(8))
	binary.Write(&tiff, be, uint16(1))
	binary.Write(&tiff, be, []uint16{0x0112, 3})
	binary.Write(&tiff, be, uint32(1))
	binary.Write(&tiff, be, []uint16{orientation, 0}) // a SHORT sits left-justified
	binary.Write(&tiff, be, uint32(0))

	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(plain.Bytes()[:2])
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, be, uint16(len(payload)+2))
	out.Write(payload)
	out.Write(plain.Bytes()[2:])
	return out.Bytes()
}
