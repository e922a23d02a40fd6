# Plain data shared by every layer and the GUI: no LibTorch header may be included here.
target_sources(resnest_api PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/AttentionOverride.cpp
  ${CMAKE_CURRENT_LIST_DIR}/AttentionRequest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ClassNames.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ComputeOptions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ResourceLocator.cpp)
if(RESNEST_WITH_OPENCV)
  target_sources(resnest_api PRIVATE ${CMAKE_CURRENT_LIST_DIR}/DatasetLabels.cpp)
endif()
