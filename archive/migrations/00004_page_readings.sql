-- +goose Up
-- How each page was read. skew_centidegrees is the slope of the scan's text
-- lines in hundredths of a degree, clockwise positive; the stored page image
-- was turned back by it. ocr_confidence is Tesseract's mean word confidence
-- in whole percent, -1 when the page has no word or was read before this
-- column existed. The word boxes themselves are a derived blob (see
-- PageWordsKey), too bulky for a row.
ALTER TABLE pages ADD COLUMN skew_centidegrees INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN ocr_confidence INTEGER NOT NULL DEFAULT -1;

-- +goose Down
ALTER TABLE pages DROP COLUMN ocr_confidence;
ALTER TABLE pages DROP COLUMN skew_centidegrees;
