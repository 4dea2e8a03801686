// Places of an article, from the gazetteer, with their evidence.
#pragma once

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// Adds at most kMaxPlaces places to `event`, in order of first mention.
void AddPlaces(const Gazetteer& gazetteer, const ArticleText& text,
               summit_alerts::v1::Event& event);

}  // namespace sa::extract
