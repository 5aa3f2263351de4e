//! The face step's comparison: a selfie and its liveness result against the chip's DG2 image,
//! through a face comparison provider, with the score and the threshold it was held to.
