# Detection operators (NMS, RoIAlign, boxes, anchors) from LibTorch ops; NMS and RoIAlign also as CPU kernels.
target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/AnchorGenerator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/BoxCoder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/BoxOps.cpp
  ${CMAKE_CURRENT_LIST_DIR}/MultiScaleRoIAlign.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Nms.cpp
  ${CMAKE_CURRENT_LIST_DIR}/NmsKernel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RoIAlign.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RoIAlignKernel.cpp)
