# DeepLabV3 and DeepLabV3+ on a dilated ResNeSt.
target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/AtrousSpatialPyramidPooling.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DeepLabHead.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DeepLabV3PlusHead.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DepthwiseSeparableConv.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DeepLabV3.cpp)
