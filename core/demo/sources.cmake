# Procedural digit scenes for the demo models (OpenCV only): opencv-doc's digits.png over real photos.
target_sources(resnest_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/BackgroundPool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DigitSheet.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SampleMedia.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SceneComposer.cpp)
