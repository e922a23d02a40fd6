# The image-level facade for the GUI and the CLI's image commands: a task model plus image pre- and
# post-processing, results as plain data and JSON.
target_sources(resnest_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/AttentionBlocks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ClassificationJson.cpp
  ${CMAKE_CURRENT_LIST_DIR}/CocoResultWriter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/MaskWindow.cpp
  ${CMAKE_CURRENT_LIST_DIR}/NetworkInput.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PredictionJson.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Predictor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SegmentationJson.cpp)
