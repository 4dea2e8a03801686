// Places of an article, from the gazetteer (curated places.tsv, iso-codes countries and
// subdivisions, GeoNames cities), with their evidence and a confidence; and the countries that
// demonyms signal ("Russian", "американский": Event.signalled_countries, not places).
#pragma once

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// Places with a lower confidence are not reported (docs/EXTRACTION.md, "Places").
inline constexpr double kMinPlaceConfidence = 0.6;

// Adds at most kMaxPlaces places to `event`, in order of first mention, each with the
// confidence of the best reading of its name: a name is a place only when capitalised as
// written (at least one word; "nice", "us" are not), the longest name wins ("South China Sea",
// not "China"), and among places of the same name the one with the most support wins (kind,
// population, its country mentioned, not next to another capitalised word when it is also a
// personal name). Also sets Event.signalled_countries from demonyms (in order, distinct).
void AddPlaces(const Gazetteer& gazetteer, const ArticleText& text,
               summit_alerts::v1::Event& event);

}  // namespace sa::extract
