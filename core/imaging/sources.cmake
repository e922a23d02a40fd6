target_sources(resnest_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/DetectionOverlay.cpp
  ${CMAKE_CURRENT_LIST_DIR}/HeatmapRenderer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ImageHeader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ImagePreprocessor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ImageReader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PredictionRenderer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RadixMapProjector.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RadixSheet.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SegmentationOverlay.cpp)
