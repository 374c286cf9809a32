"""Evaluation metrics: PSNR, SSIM, LPIPS, FID/KID, classifier Frechet distance, coherence.

Images are ``[N, C, H, W] float32 in [0, 1]`` (C = 1 or 3) everywhere. Every distance computed on
learned features names its backbone (``lpips_backbone``, ``fid_backbone``, ...).
"""
